import type { CheckAnswer, CheckMatch } from "../../operations/check.js";
import type { Suggestion } from "../../operations/suggest.js";
import { frenchDate, labelProblemText, labelReason, labelStateSentence, matchedBy, queryKind, serviceList } from "./french.js";
import { html, type Html } from "./html.js";

/** What the search page needs besides the answer: the zone, reserved labels, and how to show a commune key. */
export interface SearchContext {
  zone: string;
  reserved: ReadonlySet<string>;
  /** A link to a current commune's page, or the key in words when it is no current commune. */
  commune: (key: string) => Html;
  /** The key of the current commune with this INSEE code (homonym links). */
  keyOfInsee: (insee: string) => string | null;
}

export function communeHref(key: string): string {
  return `/communes/${encodeURIComponent(key)}`;
}

/** The search page's content: the same story `check` tells (src/operations/check.ts), in French. */
export function searchResults(answer: CheckAnswer, suggestions: readonly Suggestion[] | null, ctx: SearchContext): Html {
  const n = answer.normalized;
  const shown = n.unicode === n.ascii ? html`<strong>${n.ascii}</strong>` : html`<strong>${n.unicode}</strong> (forme ASCII : <code>${n.ascii}</code>)`;
  const status = answer.status;
  const facts = status ? { label: status.label, homonymGroupSlug: status.state === "reserved" && status.reason === "homonym-group" } : null;
  const problem = facts ? labelProblemText(facts.label, ctx.reserved) : null;
  const names = answer.matches.filter((m) => m.matchedBy === "name").length;
  return html`<section aria-labelledby="resultats">
  <h1 id="resultats">Résultats pour « ${answer.query} »</h1>
  <p>Recherche lue comme ${queryKind(n.kind)} : ${shown}.</p>
  ${answer.ledgerLabel ? html`<p class="fr-text--lead" data-testid="etat-libelle">${labelStateSentence(answer.ledgerLabel, ctx.zone, ctx.commune)}</p>` : ""}
  ${problem ? html`<p>Le libellé « ${facts!.label} » ne peut pas être attribué : ${problem}.</p>` : ""}
  ${facts?.homonymGroupSlug ? html`<p>« ${facts.label} » est le nom partagé par ${names} communes homonymes : il est réservé et n'est attribué à aucune d'elles.</p>` : ""}
  ${answer.matches.length > 0 ? html`<h2 class="fr-h4">${answer.matches.length === 1 ? "1 commune" : `${answer.matches.length} communes`}</h2>
  <ul class="fr-raw-list" id="communes-trouvees">${answer.matches.map((m) => html`<li>${matchCard(m, ctx)}</li>`)}</ul>` : ""}
  ${answer.found ? "" : notFound(answer, suggestions ?? [], ctx)}
</section>`;
}

function matchCard(m: CheckMatch, ctx: SearchContext): Html {
  const l = m.ledger;
  const homonyms = m.homonyms.map((insee) => {
    const key = ctx.keyOfInsee(insee);
    return key ? html`<li>${ctx.commune(key)}</li>` : html`<li>INSEE ${insee}</li>`;
  });
  return html`<article class="resultat fr-mb-5w">
  <h3 class="fr-h4 fr-mb-1w"><a href="${communeHref(m.key)}">${m.name} (${m.departement})</a></h3>
  <p class="fr-text--sm fr-mb-1w">Code INSEE ${m.insee} · ${m.siren ? `SIREN ${m.siren}` : `sans SIREN (clé ${m.key})`} · trouvée ${matchedBy(m.matchedBy)}</p>
  <ul>
    ${
      l.label
        ? html`<li>Domaine : <strong>${l.fqdn}</strong>, attribué le ${frenchDate(l.since)}${l.legacy ? " (libellé historique)" : ""}${l.grandfathered ? " (conservé après l'apparition d'un homonyme)" : ""}.</li>
    <li>Services : ${serviceList(l.services)}.</li>`
        : html`<li>Pas encore de domaine dans le registre ; elle recevrait <strong>${m.fqdn ?? "aucun libellé valide"}</strong>.</li>`
    }
    ${l.label && l.label !== m.label ? html`<li>Son domaine reste ${l.label}, même si son nom donnerait aujourd'hui ${m.label ?? "un libellé invalide"} : un libellé ne change jamais.</li>` : ""}
    ${l.aliases.length ? html`<li>Alias (communes fusionnées avec elle ; leur courrier arrive ici) : ${l.aliases.map((a) => `${a}.${ctx.zone}`).join(", ")}.</li>` : ""}
    ${l.reserved.length ? html`<li>Réservé pour elle (libellé de son nouveau nom) : ${l.reserved.join(", ")}.</li>` : ""}
    <li>Pourquoi ce libellé : ${m.problem ? "aucun libellé valide ne peut être calculé pour ce nom." : labelReason(m.reason, m.slug, m.departement)}</li>
    ${homonyms.length ? html`<li>Homonymes (même libellé de base « ${m.slug} ») : <ul>${homonyms}</ul></li>` : ""}
  </ul>
</article>`;
}

function notFound(answer: CheckAnswer, suggestions: readonly Suggestion[], ctx: SearchContext): Html {
  return html`<div class="fr-callout fr-mb-3w">
  <h2 class="fr-callout__title">Aucune commune ne correspond à « ${answer.query} »</h2>
  ${
    suggestions.length
      ? html`<p class="fr-callout__text">Vouliez-vous dire :</p>
  <ul id="suggestions">${suggestions.map(
    (s) => html`<li>${s.communes.map(
      (c, i) => html`${i > 0 ? " · " : ""}<a href="${communeHref(c.key)}">${c.name} (${c.departement})</a>${c.label ? html` — ${c.label}.${ctx.zone}` : ""}`,
    )}</li>`,
  )}</ul>`
      : html`<p class="fr-callout__text">Essayez le nom avec ses accents, le code INSEE ou le SIREN.</p>`
  }
</div>`;
}

import { sirenOfKey } from "../../communes/history.js";
import type { CheckAnswer, CheckFormer, CheckMatch } from "../../operations/check.js";
import type { Suggestion } from "../../operations/suggest.js";
import { frenchDate, matchedBy, queryKind, serviceList } from "./french.js";
import { html, type Html } from "./html.js";
import { factText, headline, type StoryContext } from "./story.js";

export function communeHref(key: string): string {
  return `/communes/${encodeURIComponent(key)}`;
}

/**
 * The search page's content: `check`'s answer (src/operations/check.ts) in French. The
 * headline and the reasons come from the answer's typed fields (story.ts); the cards say
 * what the ledger holds for each commune found, current or former.
 */
export function searchResults(answer: CheckAnswer, ctx: StoryContext): Html {
  const n = answer.normalized;
  const shown = n.unicode === n.ascii ? html`<strong>${n.ascii}</strong>` : html`<strong>${n.unicode}</strong> (forme ASCII : <code>${n.ascii}</code>)`;
  return html`<section aria-labelledby="resultats">
  <h1 id="resultats">Résultats pour « ${answer.query} »</h1>
  <p>Recherche lue comme ${queryKind(n.kind)} : ${shown}.</p>
  <p class="fr-text--lead" data-testid="etat-libelle" data-state="${answer.state}">${headline(answer, ctx)}</p>
  ${
    answer.story.length
      ? html`<h2 class="fr-h4" id="pourquoi">Pourquoi</h2>
  <ul id="histoire">${answer.story.map((f) => html`<li data-fact="${f.kind}">${factText(f, ctx)}</li>`)}</ul>`
      : ""
  }
  ${
    answer.matches.length
      ? html`<h2 class="fr-h4">${answer.matches.length === 1 ? "1 commune" : `${answer.matches.length} communes`}</h2>
  <ul class="fr-raw-list" id="communes-trouvees">${answer.matches.map((m) => html`<li>${matchCard(m)}</li>`)}</ul>`
      : ""
  }
  ${
    answer.former.length
      ? html`<h2 class="fr-h4">${answer.matches.length ? "Anciennes communes de ce nom" : answer.former.length === 1 ? "Ancienne commune" : "Anciennes communes"}</h2>
  <ul class="fr-raw-list" id="anciennes-communes">${answer.former.map((f) => html`<li>${formerCard(f, ctx)}</li>`)}</ul>`
      : ""
  }
  ${answer.found ? "" : notFound(answer, answer.suggestions ?? [], ctx)}
</section>`;
}

/** A current commune found: who it is and what the ledger holds for it (the reasons are the story's). */
function matchCard(m: CheckMatch): Html {
  const l = m.ledger;
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
  </ul>
</article>`;
}

/** A former commune (or former code) the query names: its identifiers, and the commune it is part of today. */
function formerCard(f: CheckFormer, ctx: StoryContext): Html {
  const first = f.steps[0]!;
  const from = first.from;
  const title = "name" in from ? html`${from.name} (${from.departement}) — ancienne commune` : html`Code INSEE ${from.insee} — ancien code`;
  const siren = "key" in from ? sirenOfKey(from.key) : null;
  const same = f.steps.every((s) => s.kind === "rename" || s.kind === "recode");
  const today = f.successor
    ? html`${same ? "Aujourd'hui : " : "Aujourd'hui partie de "}${ctx.place(f.successor)}${same ? " (même commune)" : ""}.`
    : html`Aucune commune actuelle ne lui succède.`;
  return html`<article class="ancienne fr-mb-5w">
  <h3 class="fr-h4 fr-mb-1w">${title}</h3>
  <p class="fr-text--sm fr-mb-1w">Code INSEE ${from.insee}${siren ? ` · SIREN ${siren}` : ""}</p>
  <p>${today}</p>
</article>`;
}

function notFound(answer: CheckAnswer, suggestions: readonly Suggestion[], ctx: StoryContext): Html {
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
      : html`<p class="fr-callout__text">Aucun nom de commune n'en est proche.</p>`
  }
</div>`;
}

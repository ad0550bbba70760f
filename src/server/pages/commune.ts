import type { Commune } from "../../communes/schema.js";
import type { RecordCheck, RecordStatus } from "../../dns/verify.js";
import type { LedgerEntry } from "../../ledger/schema.js";
import type { VerifyOutcome } from "../../operations/verify.js";
import type { OwnerRecords } from "../../records/model.js";
import type { DesiredSubscription } from "../../services/subscriptions.js";
import { formatSize } from "../../units/size.js";
import { departementName } from "./departements.js";
import { frenchDate, labelReason, serviceName } from "./french.js";
import { html, type Html } from "./html.js";
import type { Viewer } from "./layout.js";
import type { ComputedLabel } from "../../naming/labels.js";

/** Everything the commune page shows; what is behind a token is null for the public. */
export interface CommunePageData {
  commune: Commune;
  computed: ComputedLabel;
  zone: string;
  /** The commune's allocated label in the ledger, and its other labels (aliases of merged communes, reservations). */
  primary: LedgerEntry | null;
  others: LedgerEntry[];
  /** The model's records for its label (null when it holds none yet). */
  owner: OwnerRecords | null;
  restricted: {
    subscriptions: DesiredSubscription[];
    /** False when an operator looks at a commune that is not its member. */
    inScope: boolean;
  } | null;
  verification: { outcomes: VerifyOutcome[]; error: string | null } | null;
}

const STATUS: Record<RecordStatus, string> = {
  correct: "correct",
  incorrect: "incorrect",
  missing: "manquant",
  unexpected: "en trop",
  error: "erreur de résolution",
  pending: "en attente (clé DKIM)",
  observed: "servi par la zone déléguée",
};

export function communePage(d: CommunePageData, viewer: Viewer): Html {
  const c = d.commune;
  const dep = departementName(c.departement);
  const services = Object.entries(d.primary?.services ?? {});
  return html`<h1>${c.name} <span class="fr-text--lead">(${c.departement})</span></h1>
<p>Code INSEE ${c.insee} · ${c.siren ? `SIREN ${c.siren}` : `sans SIREN (clé ${c.key})`} · département <a href="/departements/${c.departement}">${dep ?? c.departement}</a></p>
<section aria-labelledby="domaine" class="fr-mb-4w">
  <h2 id="domaine">Domaine</h2>
  ${
    d.primary
      ? html`<p class="fr-text--lead"><strong>${d.primary.label}.${d.zone}</strong></p>
  <p>Attribué le ${frenchDate(d.primary.allocatedAt)}${d.primary.legacy ? " (libellé historique, repris tel qu'il était déjà en service)" : ""}${d.primary.grandfathered ? " (conservé après l'apparition d'un homonyme)" : ""}.</p>`
      : html`<p>Pas encore de domaine dans le registre ; elle recevrait <strong>${d.computed.label ? `${d.computed.label}.${d.zone}` : "aucun libellé valide"}</strong>.</p>`
  }
  <p>Pourquoi ce libellé : ${labelReason(d.computed.reason, d.computed.slug, c.departement)}</p>
  ${d.others.length ? html`<ul>${d.others.map((e) => html`<li>${e.label}.${d.zone} : ${e.state === "alias" ? `alias (ancienne commune ${e.name ?? e.key} ; son courrier arrive ici)` : e.state === "reserved" ? "réservé pour elle (libellé de son nouveau nom)" : e.state}</li>`)}</ul>` : ""}
</section>
<section aria-labelledby="services" class="fr-mb-4w">
  <h2 id="services">Services</h2>
  ${
    services.length
      ? html`<ul>${services.map(([s, e]) => html`<li>${serviceName(s)}, depuis le ${frenchDate(e.enrolledAt)}</li>`)}</ul>`
      : html`<p>Inscrite à aucun service.</p>`
  }
</section>
${recordsSection(d)}
${restrictedSection(d, viewer)}`;
}

function recordsSection(d: CommunePageData): Html {
  if (!d.owner) return html`<section aria-labelledby="dns" class="fr-mb-4w"><h2 id="dns">Enregistrements DNS</h2><p>Tant qu'elle n'a pas de domaine, son nom répond comme tout nom libre de la zone : aucun courrier accepté.</p></section>`;
  return html`<section aria-labelledby="dns" class="fr-mb-4w">
  <h2 id="dns">Enregistrements DNS attendus</h2>
  <div class="fr-table"><table>
    <caption>Enregistrements que ${d.owner.fqdn} doit publier selon le modèle</caption>
    <thead><tr><th scope="col">Nom</th><th scope="col">Type</th><th scope="col">Valeur</th><th scope="col">TTL</th></tr></thead>
    <tbody>${d.owner.records.map((r) => html`<tr><td>${r.name}.${d.zone}</td><td>${r.type}</td><td><code>${r.value}</code></td><td>${r.ttl}</td></tr>`)}</tbody>
  </table></div>
  ${d.owner.pending.length ? html`<p>En attente : ${d.owner.pending.map((p) => `${p.type} ${p.purpose}`).join(", ")} (la clé DKIM de Messages n'est pas encore arrivée).</p>` : ""}
</section>`;
}

function restrictedSection(d: CommunePageData, viewer: Viewer): Html {
  if (!viewer.principal || !d.restricted) {
    return html`<p class="fr-text--sm">Quotas, vérification DNS et coûts : <a href="/connexion">connexion du support</a>.</p>`;
  }
  const subs = d.restricted.inScope ? d.restricted.subscriptions : [];
  return html`<section aria-labelledby="quotas" class="fr-mb-4w">
  <h2 id="quotas">Abonnements et quotas</h2>
  ${
    !d.restricted.inScope
      ? html`<p>Cette commune n'est pas membre de votre structure : ses quotas ne vous sont pas montrés.</p>`
      : subs.length
        ? html`<div class="fr-table"><table><caption>Abonnements Espace Opérateur voulus par le modèle</caption>
    <thead><tr><th scope="col">Service</th><th scope="col">Structure</th><th scope="col">Quotas</th></tr></thead>
    <tbody>${subs.map((s) => html`<tr><td>${serviceName(s.service)}</td><td>${s.operator}</td><td>${s.quotas.map((q) => `${q.accountType} : ${formatSize(q.size)} (${q.source === "override" ? "dérogation" : q.source === "default" ? "par défaut" : "palier de population"})`).join(" ; ")}</td></tr>`)}</tbody>
  </table></div>`
        : html`<p>Aucun abonnement : elle n'est inscrite à aucun service, ou aucune structure ne la couvre.</p>`
  }
</section>
<section aria-labelledby="verification" class="fr-mb-4w">
  <h2 id="verification">Vérification DNS</h2>
  ${
    d.primary
      ? html`<form method="post" action="/communes/${encodeURIComponent(d.commune.key)}/verifier">
    <input type="hidden" name="csrf" value="${viewer.csrf ?? ""}">
    <button class="fr-btn fr-btn--secondary" type="submit">Vérifier ${d.primary.label}.${d.zone} auprès des résolveurs publics</button>
  </form>`
      : html`<p>Rien à vérifier tant qu'elle n'a pas de domaine.</p>`
  }
  ${d.verification ? verificationResults(d.verification) : ""}
</section>`;
}

function verificationResults(v: NonNullable<CommunePageData["verification"]>): Html {
  if (v.error) return html`<div class="fr-alert fr-alert--error fr-mt-2w"><h3 class="fr-alert__title">La vérification a échoué</h3><p>${v.error}</p></div>`;
  return html`${v.outcomes.map(
    (o) => html`<h3 class="fr-mt-3w">Résolveur ${o.resolver} : ${o.ok ? "tout est conforme" : `${o.failures} écart${o.failures > 1 ? "s" : ""}`}</h3>
  <div class="fr-table"><table><caption>Réponses de ${o.resolver} pour ${o.fqdn}</caption>
    <thead><tr><th scope="col">Nom</th><th scope="col">Type</th><th scope="col">Attendu</th><th scope="col">Trouvé</th><th scope="col">État</th></tr></thead>
    <tbody>${o.records.map((r: RecordCheck) => html`<tr data-status="${r.status}"><td>${r.fqdn}</td><td>${r.type}</td><td><code>${r.expected ?? "—"}</code></td><td>${r.found.length ? html`<code>${r.found.join(" | ")}</code>` : "rien"}</td><td><strong>${STATUS[r.status]}</strong></td></tr>`)}</tbody>
  </table></div>`,
  )}`;
}

import type { Commune } from "../../communes/schema.js";
import type { RecordCheck, RecordStatus } from "../../dns/verify.js";
import { ledgerEntrySchema, type LedgerEntry } from "../../ledger/schema.js";
import type { ComputedLabel } from "../../naming/labels.js";
import type { AuditRecord } from "../../operations/audit.js";
import type { VerifyOutcome } from "../../operations/verify.js";
import type { OwnerRecords } from "../../records/model.js";
import type { CostReport } from "../../services/cost.js";
import type { FeeBasis, FeeLine } from "../../services/fee.js";
import { formatCents } from "../../services/money.js";
import type { DesiredSubscription } from "../../services/subscriptions.js";
import { formatSize } from "../../units/size.js";
import { departementName } from "./departements.js";
import { frenchDate, labelReason, serviceList, serviceName } from "./french.js";
import { html, type Html } from "./html.js";
import type { Viewer } from "./layout.js";

/** A part of the page that may fail on its own (an audit log the store cannot query, prices missing for the year). */
export type Section<T> = { ok: true; value: T } | { ok: false; error: string };

/** What a signed-in viewer may see of the commune; null for the public. */
export interface RestrictedData {
  /** False when an operator looks at a commune its structure does not cover: nothing below is filled then. */
  inScope: boolean;
  subscriptions: DesiredSubscription[];
  /** The structure covering the commune (null: none does). */
  structure: { name: string; title: string } | null;
  /** The structure's cost summary for the year (null: no structure). */
  cost: Section<CostReport> | null;
  /** The audit lines about the commune, oldest first. */
  audit: Section<{ records: AuditRecord[]; truncated: boolean }> | null;
}

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
  restricted: RestrictedData | null;
  verification: { outcomes: VerifyOutcome[]; error: string | null } | null;
  /** The DNS servers "vérifier" asks (`serve --resolver`); empty: the system's resolver. */
  resolvers: readonly string[];
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

const STATE_NAMES: Record<LedgerEntry["state"], string> = { allocated: "attribué", alias: "alias", reserved: "réservé", tombstone: "clos" };

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
  <p>Pourquoi ce libellé : ${labelReason(d.computed.reason, c.departement)}.</p>
  ${d.others.length ? html`<ul>${d.others.map((e) => html`<li>${e.label}.${d.zone} : ${e.state === "alias" ? `alias (ancienne commune ${e.name ?? e.key} ; son courrier arrive ici)` : e.state === "reserved" ? "réservé pour elle (libellé de son nouveau nom)" : STATE_NAMES[e.state]}</li>`)}</ul>` : ""}
</section>
<section aria-labelledby="services" class="fr-mb-4w">
  <h2 id="services">Services</h2>
  ${
    services.length
      ? html`<ul>${services.map(([s, e]) => html`<li>${serviceName(s)}, depuis le ${frenchDate(e.enrolledAt)}${e.direct ? " (inscription directe par l'ANCT)" : ""}</li>`)}</ul>`
      : html`<p>Inscrite à aucun service.</p>`
  }
</section>
${recordsSection(d)}
${restrictedSections(d, viewer)}`;
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

function restrictedSections(d: CommunePageData, viewer: Viewer): Html {
  if (!viewer.principal || !d.restricted) {
    return html`<p class="fr-text--sm">Quotas, coûts, journal d'audit et vérification DNS : <a href="/connexion">connexion du support</a>.</p>`;
  }
  const r = d.restricted;
  if (!r.inScope) {
    return html`<section aria-labelledby="reserve" class="fr-mb-4w"><h2 id="reserve">Quotas, coûts et journal</h2><p>Cette commune n'est pas couverte par votre structure : ses quotas, ses coûts et son journal ne vous sont pas montrés.</p></section>`;
  }
  return html`<section aria-labelledby="quotas" class="fr-mb-4w">
  <h2 id="quotas">Abonnements et quotas</h2>
  ${
    r.subscriptions.length
      ? html`<div class="fr-table"><table><caption>Abonnements Espace Opérateur voulus par le modèle</caption>
    <thead><tr><th scope="col">Service</th><th scope="col">Structure</th><th scope="col">Quotas</th></tr></thead>
    <tbody>${r.subscriptions.map((s) => html`<tr><td>${serviceName(s.service)}</td><td>${s.operator}</td><td>${s.quotas.map((q) => `${q.accountType} : ${formatSize(q.size)} (${q.source === "override" ? "dérogation" : q.source === "default" ? "par défaut" : "palier de population"})`).join(" ; ")}</td></tr>`)}</tbody>
  </table></div>`
      : html`<p>Aucun abonnement : elle n'est inscrite à aucun service, ou aucune structure ne la couvre.</p>`
  }
</section>
${costSection(d, r)}
${auditSection(d, r)}
${verificationSection(d, viewer)}`;
}

// ─── The structure's costs ──────────────────────────────────────────────────────────

const int = (n: number): string => n.toLocaleString("fr-FR");

/** Why the commune counts in its structure's fee or not: one sentence per basis. */
const FEE_BASIS: { [B in FeeBasis]: (line: FeeLine, fee: CostReport["fee"]) => string } = {
  member: (l, fee) => `comptée : ${int(l.population!)} habitants, plus de ${int(fee.communeCountsAbove)}, membre directe de la structure ; ${formatCents(l.cents)}`,
  epci: (l, fee) => `comptée : ${int(l.population!)} habitants, plus de ${int(fee.communeCountsAbove)}, membre par son intercommunalité${l.epci ? ` ${l.epci.name}` : ""} (au moins ${int(fee.epciCountsFrom)} habitants) ; ${formatCents(l.cents)}`,
  "exempt-commune": (l, fee) => `non comptée : ${int(l.population!)} habitants, pas plus de ${int(fee.communeCountsAbove)}`,
  "exempt-epci": (l, fee) => `non comptée : membre seulement par son intercommunalité${l.epci ? ` ${l.epci.name} (${int(l.epci.population)} habitants)` : ""}, qui a moins de ${int(fee.epciCountsFrom)} habitants`,
  "population-unknown": () => "non comptée : l'INSEE ne donne pas sa population",
};

function costSection(d: CommunePageData, r: RestrictedData): Html {
  const head = html`<h2 id="couts">Coûts de la structure</h2>`;
  if (!r.structure || !r.cost) {
    const direct = Object.values(d.primary?.services ?? {}).some((e) => e.direct);
    return html`<section aria-labelledby="couts" class="fr-mb-4w">${head}<p>Aucune structure de mutualisation ne couvre cette commune${direct ? " : l'ANCT l'a inscrite directement (convention, art. 3.3), sans contribution d'une structure" : ""}.</p></section>`;
  }
  if (!r.cost.ok) return html`<section aria-labelledby="couts" class="fr-mb-4w">${head}<p>Le coût de ${r.structure.title} n'a pas pu être calculé : <span lang="en">${r.cost.error}</span></p></section>`;
  const c = r.cost.value;
  const line = c.fee.members.find((m) => m.key === d.commune.key);
  const ceiling = c.ceiling;
  return html`<section aria-labelledby="couts" class="fr-mb-4w">
  ${head}
  <p>${c.operator.title} (<code>${c.operator.name}</code>) couvre cette commune${c.operator.example ? " — configuration d'exemple : ses montants ne sont pas réels" : ""}. Pour ${c.year} :</p>
  <ul>
    <li>Contribution de partenariat : <strong>${formatCents(c.fee.cents)}</strong> pour ${int(c.fee.countedPopulation)} habitants comptés${c.fee.capped ? ` (plafonnée : ${formatCents(c.fee.uncappedCents)} avant le plafond de ${formatCents(c.fee.capCents)})` : ""}.</li>
    ${line ? html`<li>Cette commune y est ${FEE_BASIS[line.basis](line, c.fee)}.</li>` : ""}
    <li>${
      ceiling.lines.length === 0
        ? "Plafond de stockage : aucun abonnement, aucun coût de stockage."
        : ceiling.bounded
          ? `Plafond de stockage : ${formatCents(ceiling.perPeriodCents)} sur ${ceiling.periodMonths} mois (${formatCents(ceiling.monthlyCents)} par mois) pour ${ceiling.lines.length} abonnement${ceiling.lines.length > 1 ? "s" : ""}.`
          : `Plafond de stockage : aucun, ${ceiling.unlimited.length} abonnement${ceiling.unlimited.length > 1 ? "s ont" : " a"} un quota d'organisation illimité.`
    }</li>
  </ul>
  <p class="fr-text--sm">Le détail par commune : <code>domaines cost --operator ${c.operator.name} --year ${c.year}</code> ou <code>GET /api/v1/operators/${c.operator.name}/cost?year=${c.year}</code>.</p>
</section>`;
}

// ─── The audit log ──────────────────────────────────────────────────────────────────

const TIME = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short", timeZone: "UTC" });

/** An audit line's before/after as a ledger entry: the log keeps the compact form (defaults left out). */
function entryOf(raw: unknown): LedgerEntry | null {
  return raw == null ? null : (ledgerEntrySchema.safeParse(raw).data ?? null);
}

/** What one audit line changed, in a few words. */
export function auditChange(r: AuditRecord): string {
  if (r.kind === "aborted") return `transaction interrompue, jamais appliquée${r.reason ? ` (${r.reason})` : ""}`;
  if (r.kind === "event") {
    const e = r.event ?? {};
    const bits = [typeof e.service === "string" ? serviceName(e.service) : null, typeof e.outcome === "string" ? `issue : ${e.outcome}` : null].filter(Boolean);
    return `événement ${String(e.kind ?? "inconnu")}${bits.length ? ` (${bits.join(", ")})` : ""}`;
  }
  const before = entryOf(r.before);
  const after = entryOf(r.after);
  if (!before && after) return `${r.label} créé : ${STATE_NAMES[after.state]}${Object.keys(after.services).length ? `, ${serviceList(Object.keys(after.services))}` : ""}`;
  if (before && !after) return `${r.label} retiré du registre`;
  if (!before || !after) return `${r.label}`;
  const parts: string[] = [];
  if (before.state !== after.state) parts.push(`${STATE_NAMES[before.state]} → ${STATE_NAMES[after.state]}`);
  const was = new Set(Object.keys(before.services));
  const now = new Set(Object.keys(after.services));
  const added = [...now].filter((s) => !was.has(s));
  const removed = [...was].filter((s) => !now.has(s));
  if (added.length) parts.push(`inscrite à ${serviceList(added)}`);
  if (removed.length) parts.push(`désinscrite de ${serviceList(removed)}`);
  const quotasChanged = [...now].filter((s) => was.has(s) && JSON.stringify(before.services[s]!.quotas) !== JSON.stringify(after.services[s]!.quotas));
  if (quotasChanged.length) parts.push(`quotas de ${serviceList(quotasChanged)} modifiés`);
  if (before.name !== after.name || before.nameHistory.length !== after.nameHistory.length) parts.push("nom mis à jour");
  return `${r.label} : ${parts.length ? parts.join(", ") : "ligne mise à jour"}`;
}

const AUDIT_SHOWN = 50;

function auditSection(d: CommunePageData, r: RestrictedData): Html {
  const head = html`<h2 id="journal">Journal d'audit</h2>`;
  if (!r.audit) return html``;
  if (!r.audit.ok) return html`<section aria-labelledby="journal" class="fr-mb-4w">${head}<p>Le journal n'a pas pu être lu : <span lang="en">${r.audit.error}</span></p></section>`;
  const { records, truncated } = r.audit.value;
  if (records.length === 0) return html`<section aria-labelledby="journal" class="fr-mb-4w">${head}<p>Aucune ligne du journal ne concerne cette commune.</p></section>`;
  const shown = records.slice(-AUDIT_SHOWN).reverse();
  return html`<section aria-labelledby="journal" class="fr-mb-4w">
  ${head}
  <div class="fr-table"><table id="journal-lignes"><caption>${records.length > shown.length || truncated ? `Les ${shown.length} dernières lignes lues sur ${records.length}${truncated ? " et plus" : ""}` : `${records.length} ligne${records.length > 1 ? "s" : ""}`} concernant ${d.commune.name}, la plus récente d'abord (heure UTC)</caption>
    <thead><tr><th scope="col">Quand</th><th scope="col">Qui</th><th scope="col">Commande</th><th scope="col">Changement</th></tr></thead>
    <tbody>${shown.map((a) => html`<tr><td>${TIME.format(new Date(a.time))}</td><td><code>${a.actor}</code></td><td><code>${a.command}</code></td><td>${auditChange(a)}</td></tr>`)}</tbody>
  </table></div>
  ${truncated || records.length > shown.length ? html`<p class="fr-text--sm">Tout le journal de la commune : <code>GET /api/v1/audit?commune=${d.commune.key}</code>.</p>` : ""}
</section>`;
}

// ─── Verification ───────────────────────────────────────────────────────────────────

function verificationSection(d: CommunePageData, viewer: Viewer): Html {
  return html`<section aria-labelledby="verification" class="fr-mb-4w">
  <h2 id="verification">Vérification DNS</h2>
  ${
    d.primary
      ? html`<form method="post" action="/communes/${encodeURIComponent(d.commune.key)}/verifier">
    <input type="hidden" name="csrf" value="${viewer.csrf ?? ""}">
    <p class="fr-text--sm fr-mb-1w">Compare les réponses DNS au modèle, enregistrement par enregistrement ; serveurs interrogés : ${d.resolvers.length ? d.resolvers.join(", ") : "le résolveur du système"}.</p>
    <button class="fr-btn fr-btn--secondary" type="submit">Vérifier ${d.primary.label}.${d.zone}</button>
  </form>`
      : html`<p>Rien à vérifier tant qu'elle n'a pas de domaine.</p>`
  }
  ${d.verification ? verificationResults(d.verification) : ""}
</section>`;
}

function verificationResults(v: NonNullable<CommunePageData["verification"]>): Html {
  if (v.error) return html`<div class="fr-alert fr-alert--error fr-mt-2w"><h3 class="fr-alert__title">La vérification a échoué</h3><p lang="en">${v.error}</p></div>`;
  return html`${v.outcomes.map(
    (o) => html`<h3 class="fr-mt-3w">Résolveur ${o.resolver} : ${o.ok ? "tout est conforme" : `${o.failures} écart${o.failures > 1 ? "s" : ""}`}</h3>
  <div class="fr-table"><table><caption>Réponses de ${o.resolver} pour ${o.fqdn}</caption>
    <thead><tr><th scope="col">Nom</th><th scope="col">Type</th><th scope="col">Attendu</th><th scope="col">Trouvé</th><th scope="col">État</th></tr></thead>
    <tbody>${o.records.map((r: RecordCheck) => html`<tr data-status="${r.status}"><td>${r.fqdn}</td><td>${r.type}</td><td><code>${r.expected ?? "—"}</code></td><td>${r.found.length ? html`<code>${r.found.join(" | ")}</code>` : "rien"}</td><td><strong>${STATUS[r.status]}</strong></td></tr>`)}</tbody>
  </table></div>`,
  )}`;
}

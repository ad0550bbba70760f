import type { LabelState } from "../../ledger/state.js";
import { labelProblem } from "../../naming/label.js";
import type { LabelReason } from "../../naming/labels.js";
import { html, type Html } from "./html.js";

/** Plain French for the facts `check` returns: the same story, for support staff and communes. */

const DATE = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "UTC" });

/** "1 décembre 2026" from an ISO timestamp (its day, in UTC as the ledger writes it). */
export function frenchDate(iso: string | null | undefined): string {
  if (!iso) return "date inconnue";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso.slice(0, 10) : DATE.format(d);
}

const SERVICE_NAMES: Record<string, string> = { messages: "Messages (messagerie)", fichiers: "Fichiers (stockage)" };

export function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

export function serviceList(services: readonly string[]): string {
  return services.length === 0 ? "aucun service" : services.map(serviceName).join(", ");
}

/** How a query was read. */
export function queryKind(kind: string): string {
  switch (kind) {
    case "siren":
      return "un SIREN";
    case "insee":
      return "un code INSEE";
    case "key":
      return "une clé de commune";
    case "fqdn":
      return "un nom de domaine";
    default:
      return "un nom de commune ou un libellé";
  }
}

/** How a match was found (values from lookup; an unknown one, e.g. from a later history index, is shown as it is). */
export function matchedBy(via: string): string {
  switch (via) {
    case "siren":
      return "par son SIREN";
    case "insee":
      return "par son code INSEE";
    case "key":
      return "par sa clé";
    case "label":
      return "par son libellé";
    case "name":
      return "par son nom";
    case "ledger":
      return "par le registre (elle détient ce libellé)";
    default:
      return `par ${via}`;
  }
}

/** Why a commune's label has its form. */
export function labelReason(reason: LabelReason, slug: string, departement: string): string {
  const dep = departement.toLowerCase();
  switch (reason) {
    case "unique":
      return "Aucune autre commune ne porte ce nom : son libellé est son nom simplifié (sans accents, en minuscules, avec des tirets).";
    case "homonym":
      return `Une autre commune porte exactement ce nom : chaque commune du groupe reçoit son numéro de département (-${dep}), et « ${slug} » seul n'est attribué à aucune d'elles.`;
    case "accent-collision":
      return `Le nom d'une autre commune ne diffère que par les accents ou la ponctuation et donne le même libellé « ${slug} » : chacune reçoit son numéro de département (-${dep}).`;
    case "fallback":
      return `« ${slug}-${dep} » est déjà pris (même nom deux fois dans le département, ou libellé d'une autre commune) : le code INSEE est ajouté.`;
  }
}

/** Why a label cannot be allocated, from its rule. */
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
        : `« ${label} » figure sur la liste des libellés réservés`;
  }
}

/**
 * The ledger's state of a label, in French: the twin of describeLabelState. `commune`
 * renders a commune key (a link to its page, or its former key).
 */
export function labelStateSentence(s: LabelState, zone: string, commune: (key: string) => Html): Html {
  const fqdn = html`<strong>${s.label}.${zone}</strong>`;
  switch (s.state) {
    case "free":
      return html`${fqdn} est libre : aucune commune ne le détient dans le registre.`;
    case "allocated":
      return html`${fqdn} est attribué à ${commune(s.key!)} depuis le ${frenchDate(s.since)}${s.legacy ? " (libellé historique, repris tel qu'il était déjà en service)" : ""}${
        s.grandfathered ? " (conservé par sa commune après l'apparition d'un homonyme)" : ""
      }${s.services.length ? html` ; services : ${serviceList(s.services)}` : ""}.`;
    case "alias":
      if (s.key === s.aliasOf) {
        return html`${fqdn} est un alias de ${commune(s.aliasOf!)} : c'était son libellé avant qu'elle ne prenne celui de son nouveau nom ; le courrier qui lui est adressé y arrive toujours. Il ne sera jamais attribué à une autre commune.`;
      }
      return html`${fqdn} est un alias de ${commune(s.aliasOf!)} : il appartenait à ${s.holderName ?? s.key}, qui a fusionné avec elle ; le courrier adressé à ce domaine arrive désormais chez ${commune(s.aliasOf!)}. Il ne sera jamais attribué à une autre commune.`;
    case "reserved":
      return s.reservedReason === "homonym-group"
        ? html`${fqdn} est réservé : c'est le nom commun à plusieurs communes homonymes, aucune d'elles ne le reçoit ; chacune reçoit son nom suivi de son numéro de département.`
        : html`${fqdn} est réservé pour ${commune(s.key!)} (le libellé de son nouveau nom après un changement de nom) ; elle ne l'obtient que si elle le demande.`;
    case "tombstone":
      return html`${fqdn} est clos depuis le ${frenchDate(s.since)} : il appartenait à ${s.holderName ?? s.key}, qui n'existe plus ; il ne sera jamais réattribué.`;
  }
}

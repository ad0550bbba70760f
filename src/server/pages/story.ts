import type { CheckAnswer, CheckFormer, StoryFact } from "../../operations/check.js";
import { sirenOfKey, type HistoryEvent } from "../../communes/history.js";
import type { LabelStatus } from "../../ledger/state.js";
import { cogDate, frenchDate, labelProblemText, labelReason, serviceList } from "./french.js";
import { html, type Html } from "./html.js";

/**
 * `check`'s answer in French, from its typed fields (never from its English text): the
 * headline from the one decided `status` (or `former` / `not-found`), then one function per
 * label state, per story fact kind and per history event kind. Each table is typed over
 * its union, so a new state or fact kind does not compile until its French function is
 * written here.
 */

/** A commune as the answer names it (CommuneRef, a history commune, a délégué without key). */
export interface Place {
  key?: string;
  name: string;
  departement: string;
  insee?: string;
}

export interface StoryContext {
  zone: string;
  reserved: ReadonlySet<string>;
  /** A link to the commune's page when its key is a current commune's, else its name and département in words. */
  place(c: Place): Html;
  /** The answer's status (the hint fact is worded after it). */
  status: LabelStatus | null;
}

const fqdnOf = (label: string, zone: string): Html => html`<strong>${label}.${zone}</strong>`;
const codes = (c: Place, ids: { insee?: boolean; siren?: boolean }): string => {
  const parts = [ids.insee && c.insee ? `INSEE ${c.insee}` : null, ids.siren && c.key && sirenOfKey(c.key) ? `SIREN ${c.key}` : null].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
};

// ─── The headline: the label's state ────────────────────────────────────────────────

type StatusOf<S extends LabelStatus["state"]> = Extract<LabelStatus, { state: S }>;
type StatusSentences = { [S in LabelStatus["state"]]: (s: StatusOf<S>, ctx: StoryContext) => Html };

export const STATUS_SENTENCES: StatusSentences = {
  allocated: (s, ctx) =>
    html`${fqdnOf(s.label, ctx.zone)} est attribué à ${s.holder ? ctx.place(s.holder) : s.holderName} depuis le ${frenchDate(s.since)}${s.legacy ? " (libellé historique, repris tel qu'il était déjà en service)" : ""}${
      s.grandfathered ? " (conservé par sa commune après l'apparition d'un homonyme)" : ""
    }${s.services.length ? ` ; services : ${serviceList(s.services)}` : ""}${s.delegatedTo ? ` ; délégué à ${s.delegatedTo.join(", ")}` : ""}.`,
  alias: (s, ctx) => {
    const of = s.of ? ctx.place(s.of) : html`${s.ofName}`;
    return s.renamed
      ? html`${fqdnOf(s.label, ctx.zone)} est un alias de ${of} : c'était son libellé avant qu'elle ne prenne celui de son nouveau nom ; le courrier qui lui est adressé y arrive toujours. Il ne sera jamais attribué à une autre commune.`
      : html`${fqdnOf(s.label, ctx.zone)} est un alias de ${of} : il appartenait à ${s.formerHolder}, qui a fusionné avec elle ; le courrier adressé à ce domaine arrive désormais chez ${of}. Il ne sera jamais attribué à une autre commune.`;
  },
  reserved: (s, ctx) => {
    const fqdn = fqdnOf(s.label, ctx.zone);
    switch (s.reason) {
      case "homonym-group":
        return html`${fqdn} est réservé : c'est le nom commun à plusieurs communes homonymes, aucune d'elles ne le reçoit ; chacune reçoit son nom suivi de son numéro de département.`;
      case "rename":
        return html`${fqdn} est réservé pour ${s.for ? ctx.place(s.for) : "sa commune"} : c'est le libellé de son nouveau nom après un changement de nom ; elle ne l'obtient que si elle le demande.`;
      case "reserved-list":
        return html`${fqdn} est réservé à la plateforme : il n'est jamais donné à une commune.`;
    }
  },
  tombstone: (s, ctx) => html`${fqdnOf(s.label, ctx.zone)} est clos depuis le ${frenchDate(s.since)} : il appartenait à ${s.formerHolder}, qui n'existe plus ; il ne sera jamais réattribué.`,
  invalid: (s, ctx) => {
    const why = labelProblemText(s.label, ctx.reserved);
    return html`${fqdnOf(s.label, ctx.zone)} ne peut être le domaine d'aucune commune : ${why ?? html`<span lang="en">${s.problem}</span>`}.`;
  },
  free: (s, ctx) =>
    s.computedFor
      ? html`${fqdnOf(s.label, ctx.zone)} est libre : aucune commune ne le détient encore ; c'est le libellé que ${ctx.place(s.computedFor)} recevra lors de son attribution.`
      : html`${fqdnOf(s.label, ctx.zone)} est libre : aucune commune ne le détient, et le nom d'aucune commune actuelle ne le donne.`,
};

export function statusSentence(s: LabelStatus, ctx: StoryContext): Html {
  return (STATUS_SENTENCES[s.state] as (s: LabelStatus, ctx: StoryContext) => Html)(s, ctx);
}

/** What a former commune is now, in a few words (the history facts give the details). */
function formerInShort(f: CheckFormer, ctx: StoryContext): Html {
  const e = f.steps[0]!;
  const now = (to: Place): Html => (f.successor && f.successor.key !== to.key ? html`, aujourd'hui partie de ${ctx.place(f.successor)}` : html``);
  switch (e.kind) {
    case "disappeared":
      return html`c'était ${ctx.place(e.from)}, disparue du COG du ${cogDate(e.cog)} sans successeur désigné`;
    case "merger":
      return html`c'était ${ctx.place(e.from)}, fusionnée dans ${ctx.place(e.to)} au ${cogDate(e.cog)}${now(e.to)}`;
    case "rename":
    case "recode":
      return html`c'était ${ctx.place(e.from)}, aujourd'hui ${f.successor ? ctx.place(f.successor) : "disparue"}`;
    case "delegated":
      return html`c'était ${ctx.place(e.from)}, fusionnée avant le ${cogDate(e.before)} dans ${ctx.place(e.to)}${now(e.to)}`;
    case "former-code":
      return html`c'est un ancien code INSEE de ${ctx.place(e.to)}${now(e.to)}`;
  }
}

/**
 * The answer's headline: the label's state when the answer has one, else what the query
 * names (former communes only) or that nothing has that code. Decided by `answer.state`.
 */
export function headline(answer: CheckAnswer, ctx: StoryContext): Html {
  if (answer.state === "former") return html`« ${answer.query.trim()} » ne désigne aucune commune actuelle : ${answer.former.map((f, i) => html`${i > 0 ? " ; " : ""}${formerInShort(f, ctx)}`)}.`;
  if (answer.state === "not-found" || answer.status === null) {
    const what = answer.normalized.kind === "siren" ? "le SIREN" : answer.normalized.kind === "insee" ? "le code INSEE" : "la clé";
    return html`Aucune commune, actuelle ou ancienne, n'a ${what} ${answer.normalized.lookup}.`;
  }
  return statusSentence(answer.status, ctx);
}

// ─── What happened to a commune ─────────────────────────────────────────────────────

type EventOf<K extends HistoryEvent["kind"]> = Extract<HistoryEvent, { kind: K }>;
type HistoryTexts = { [K in HistoryEvent["kind"]]: (e: EventOf<K>, ctx: StoryContext) => Html };

export const HISTORY_TEXTS: HistoryTexts = {
  merger: (e, ctx) =>
    e.via === "same-insee" && e.from.name === e.to.name
      ? html`${ctx.place(e.from)}${codes(e.from, { siren: true })} est devenue, avec les communes fusionnées avec elle, la commune nouvelle ${ctx.place(e.to)}${codes(e.to, { siren: true })}, qui a gardé son nom et son code INSEE ${e.to.insee}, au ${cogDate(e.cog)} (COG ${e.cog}).`
      : html`${ctx.place(e.from)}${codes(e.from, { insee: true, siren: true })} a fusionné dans ${ctx.place(e.to)}${codes(e.to, { insee: true })} au ${cogDate(e.cog)} (COG ${e.cog}).`,
  disappeared: (e, ctx) => html`${ctx.place(e.from)}${codes(e.from, { insee: true, siren: true })} a disparu du COG du ${cogDate(e.cog)}, qui ne lui désigne aucun successeur.`,
  rename: (e, ctx) => html`${e.from.name} (${e.from.departement}, INSEE ${e.from.insee}) a été renommée ${ctx.place(e.to)} dans le COG du ${cogDate(e.cog)} (même commune, même SIREN).`,
  recode: (e, ctx) => html`${ctx.place(e.to)} a changé de code INSEE, de ${e.from.insee} à ${e.to.insee}, dans le COG du ${cogDate(e.cog)} (même commune, même SIREN).`,
  delegated: (e, ctx) =>
    html`${e.from.name} (${e.from.departement}, INSEE ${e.from.insee}) est une ancienne commune, fusionnée dans ${ctx.place(e.to)}${codes(e.to, { insee: true })} avant le ${cogDate(e.before)} : le COG ${e.before} la liste comme commune ${
      e.type === "commune-deleguee" ? "déléguée" : "associée"
    } de celle-ci.`,
  "former-code": (e, ctx) =>
    html`${e.from.insee} est un ancien code INSEE que le COG ${e.before} donne pour ${ctx.place(e.to)}${codes(e.to, { insee: true })} : le code d'une commune fusionnée avec elle, ou son propre code avant un changement.`,
};

export function historyText(e: HistoryEvent, ctx: StoryContext): Html {
  return (HISTORY_TEXTS[e.kind] as (e: HistoryEvent, ctx: StoryContext) => Html)(e, ctx);
}

// ─── Why: the story's facts ─────────────────────────────────────────────────────────

type FactOf<K extends StoryFact["kind"]> = Extract<StoryFact, { kind: K }>;
type FactTexts = { [K in StoryFact["kind"]]: (f: FactOf<K>, ctx: StoryContext) => Html };

const labels = (list: readonly string[], zone: string): Html => html`${list.map((l, i) => html`${i > 0 ? ", " : ""}${fqdnOf(l, zone)}`)}`;

export const FACT_TEXTS: FactTexts = {
  homonyms: (f, ctx) => {
    const others = f.members.filter((m) => m.key !== f.keeper?.key);
    const list = html`<ul>${others.map((m) => html`<li>${m.label ? fqdnOf(m.label, ctx.zone) : "aucun libellé valide"} pour ${ctx.place(m)}</li>`)}</ul>`;
    return f.keeper
      ? html`${f.members.length} communes actuelles portent ce nom. ${ctx.place(f.keeper)} garde ${fqdnOf(f.slug, ctx.zone)} ; les autres reçoivent leur numéro de département :${list}`
      : html`${f.members.length} communes actuelles portent ce nom : « ${f.slug} » seul n'est attribué à aucune d'elles, chacune reçoit son numéro de département :${list}`;
  },
  "kept-after-homonym": (f, ctx) =>
    html`${ctx.place(f.holder)} détenait ${fqdnOf(f.label, ctx.zone)} avant que ${
      f.newcomers.length ? html`${f.newcomers.map((n, i) => html`${i > 0 ? ", " : ""}${ctx.place(n)}`)} n'apparaisse${f.newcomers.length > 1 ? "nt" : ""}` : "une commune du même nom n'apparaisse"
    } dans le COG ; un libellé ne change jamais de titulaire : elle l'a gardé.`,
  legacy: (f, ctx) =>
    html`${fqdnOf(f.label, ctx.zone)} a été repris tel qu'il était déjà en service pour ${ctx.place(f.holder)} (libellé historique) : il reste le sien, quel que soit le libellé que la règle de nommage donnerait aujourd'hui.`,
  delegated: (f, ctx) =>
    html`${f.fqdn} est délégué à ${f.nameservers.join(", ")} : ses enregistrements (courrier, site) sont dans cette zone, pas dans ${ctx.zone}, qui ne publie que ses serveurs de noms (NS${f.signed ? " et DS" : ""}) ; la vérification suit la délégation.`,
  "label-rule": (f, ctx) => {
    const who = ctx.place(f.commune);
    const why = labelReason(f.reason, f.commune.departement);
    if (!f.computed) return html`Le nom de ${who} ne donne aucun libellé valide : il faut lui en attribuer un à la main.`;
    if (!f.held) return html`${who} recevra ${fqdnOf(f.computed, ctx.zone)} selon la règle de nommage : ${why}.`;
    if (f.held === f.computed) return html`${who} a ${fqdnOf(f.computed, ctx.zone)} selon la règle de nommage : ${why}.`;
    return html`Selon la règle de nommage, ${who} recevrait aujourd'hui ${fqdnOf(f.computed, ctx.zone)} (${why}), mais elle garde ${fqdnOf(f.held, ctx.zone)} : un libellé attribué ne change jamais.`;
  },
  "rename-reserved": (f, ctx) =>
    html`${labels(f.labels, ctx.zone)} ${f.labels.length > 1 ? "sont réservés" : "est réservé"} pour ${ctx.place(f.commune)} depuis son changement de nom ; sur sa demande, la plateforme en fait son libellé (<code>domaines allocate ${f.commune.insee} --switch</code>).`,
  aliases: (f, ctx) =>
    html`Le courrier adressé à ${labels(f.labels, ctx.zone)} (${f.labels.length > 1 ? "anciens libellés" : "ancien libellé"} : d'une commune fusionnée avec elle, ou le sien avant un changement de nom) arrive chez ${ctx.place(f.commune)}.`,
  history: (f, ctx) => historyText(f.event, ctx),
  mail: (f, ctx) => {
    const successor = ctx.place(f.successor);
    const where =
      f.successorState === "allocated"
        ? html`${successor} détient ${fqdnOf(f.successor.label!, ctx.zone)} (${f.services.length ? `inscrite à ${serviceList(f.services)}` : "inscrite à aucun service pour l'instant"})`
        : html`${successor} n'a pas encore de domaine dans le registre (elle recevrait ${f.successor.label ? fqdnOf(f.successor.label, ctx.zone) : "un libellé à choisir"})`;
    if (!f.formerLabel) return html`Aucun libellé du registre n'a appartenu à ${f.former} ; son courrier s'adresse désormais à sa commune actuelle : ${where}.`;
    // The successor holding the former label itself: it inherited it.
    if (f.successorState === "allocated" && f.successor.label === f.formerLabel) {
      return html`Le courrier adressé à ${fqdnOf(f.formerLabel, ctx.zone)}, le libellé de ${f.former}, arrive chez ${successor} : elle a hérité de ce libellé.`;
    }
    return html`Le courrier adressé à ${fqdnOf(f.formerLabel, ctx.zone)}, le libellé de ${f.former}, arrive chez ${successor} : ce libellé est désormais son alias ; ${where}.`;
  },
  hint: (_f, ctx) =>
    ctx.status?.state === "reserved" && ctx.status.reason === "reserved-list"
      ? html`Les noms que la plateforme utilise elle-même ne sont jamais donnés à une commune.`
      : html`Essayez le nom avec ses accents, le code INSEE ou le SIREN ; la page d'un département liste toutes ses communes.`,
};

export function factText(f: StoryFact, ctx: StoryContext): Html {
  return (FACT_TEXTS[f.kind] as (f: StoryFact, ctx: StoryContext) => Html)(f, ctx);
}


import { bundledHistory, describeHistoryEvent, type CommuneHistory, type HistoryEvent } from "../communes/history.js";
import type { Commune } from "../communes/schema.js";
import { indexLedger, type LedgerIndex } from "../ledger/entries.js";
import { candidateOf, designate, type DesignatedVia, type FormerDesignation } from "../ledger/resolve.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { decideLabelStatus, labelState, labelStatusSentence, type CommuneRef, type LabelState, type LabelStatus } from "../ledger/state.js";
import { labelProblem } from "../naming/label.js";
import { explainReason, type ComputedLabel, type LabelReason } from "../naming/labels.js";
import { indexedFinder, scanFinder, type CommuneFinder } from "../naming/lookup.js";
import { normalizeQuery, type NormalizedQuery } from "../naming/query.js";
import type { Workspace } from "../workspace.js";
import { suggestCommunes, type Suggestion } from "./suggest.js";
import { communeLabelView, type CommuneLabelView } from "./commune-view.js";

/** What the ledger says of one matched commune. */
export interface CommuneLedgerView {
  state: "allocated" | "not-allocated";
  label: string | null;
  fqdn: string | null;
  since: string | null;
  legacy: boolean;
  grandfathered: boolean;
  services: string[];
  aliases: string[];
  reserved: string[];
}

export interface CheckMatch extends CommuneLabelView {
  fqdn: string | null;
  matchedBy: DesignatedVia;
  explanation: string;
  ledger: CommuneLedgerView;
}

/** A former commune the query names, and what became of it. */
export interface CheckFormer {
  /** The event that names the query, then what followed, oldest first; each with its English text. */
  steps: (HistoryEvent & { text: string })[];
  successor: CommuneRef | null;
}

/**
 * The answer's headline: the state of the label the query is about (the queried label, or
 * the designated commune's), or, when the query names only a former commune or nothing,
 * `former` / `not-found`.
 */
export type CheckState = LabelStatus["state"] | "former" | "not-found";

/**
 * Why the headline is what it is, as typed facts (each with its English `text`): a front
 * end in another language renders the fields, not the text.
 */
export type StoryFact = { text: string } & (
  | { kind: "homonyms"; slug: string; members: CommuneRef[]; keeper: CommuneRef | null }
  | { kind: "kept-after-homonym"; holder: CommuneRef; label: string; newcomers: CommuneRef[] }
  | { kind: "legacy"; holder: CommuneRef; label: string }
  /** The label's zone lives elsewhere: the parent publishes only its NS set (`nameservers`), and DS when `signed`. */
  | { kind: "delegated"; label: string; fqdn: string; nameservers: string[]; signed: boolean; since: string }
  | { kind: "label-rule"; commune: CommuneRef; reason: LabelReason; computed: string | null; held: string | null }
  | { kind: "rename-reserved"; commune: CommuneRef; labels: string[] }
  | { kind: "aliases"; commune: CommuneRef; labels: string[] }
  | { kind: "history"; event: HistoryEvent }
  | { kind: "mail"; former: string; formerLabel: string | null; successor: CommuneRef; successorState: "allocated" | "not-allocated"; services: string[] }
  | { kind: "hint" }
);

/** The answer to one query: the same for `check --json`, the API and the support page. */
export interface CheckAnswer {
  query: string;
  normalized: { kind: NormalizedQuery["kind"]; unicode: string; ascii: string; lookup: string };
  /** The headline, decided once (ledger first, then the naming rules, then the history). */
  state: CheckState;
  /** The headline in English. */
  sentence: string;
  /** The label the headline is about, and its status (null for `former` and `not-found`). */
  status: LabelStatus | null;
  /** The reasons, in the order a support agent would tell them. */
  story: StoryFact[];
  /** The ledger line of the queried label (label, name and FQDN queries), else null. */
  ledgerLabel: LabelState | null;
  matches: CheckMatch[];
  former: CheckFormer[];
  /** False when the query designates no current or former commune and the ledger does not know the label. */
  found: boolean;
  /** When nothing is found: the current communes whose names are closest (typos, St/Ste, missing hyphens…). */
  suggestions?: Suggestion[];
}

/** How `check` finds communes and ledger lines: scanning for one query, indexes for a batch. */
export interface CheckReaders {
  finder: () => CommuneFinder;
  read: (values: readonly string[]) => Promise<LedgerEntry[]>;
}

/** For one query: a scan of the communes and only the ledger lines about it. */
export function singleQueryReaders(ws: Workspace): CheckReaders {
  return { finder: () => scanFinder(ws.communes(), ws.labels()), read: (values) => ws.store().readMentioning(values) };
}

/** For many queries: indexes and the whole validated ledger, built once. */
export async function batchReaders(ws: Workspace): Promise<CheckReaders> {
  const index = indexedFinder(ws.communes(), ws.labels());
  const byValue = entriesMentioning(await ws.store().read());
  return { finder: () => index, read: async (values) => byValue(values) };
}

/** A reader over entries already in memory, answering like readMentioning (by label, key, aliasOf, inheritedFrom). */
export function entriesMentioning(all: readonly LedgerEntry[]): (values: readonly string[]) => LedgerEntry[] {
  const byValue = new Map<string, LedgerEntry[]>();
  const add = (value: string | null | undefined, e: LedgerEntry): void => {
    if (!value) return;
    const list = byValue.get(value);
    if (list) {
      if (!list.includes(e)) list.push(e);
    } else byValue.set(value, [e]);
  };
  for (const e of all) {
    add(e.label, e);
    add(e.key, e);
    add(e.aliasOf, e);
    add(e.inheritedFrom, e);
  }
  return (values) => [...new Set(values.flatMap((v) => byValue.get(v) ?? []))];
}

/** Which communes a query designates, what the ledger says of them and of the label, and why: one story. */
export async function checkQuery(ws: Workspace, query: string, readers: CheckReaders = singleQueryReaders(ws), history: CommuneHistory = bundledHistory()): Promise<CheckAnswer> {
  const zone = ws.zone();
  // Normalised before the data loads, so that a bad query fails without that work.
  const q = normalizeQuery(query, zone);
  const finder = readers.finder();
  const labels = ws.labels();
  const isLabelQuery = q.kind === "label-or-name" || q.kind === "fqdn";
  const designation = designate(q, finder, indexLedger(isLabelQuery ? await readers.read([q.value]) : []), history);
  // A name also borne by former communes: told, though current communes answer it.
  // (Not a former commune restored as a commune since: same code, same name.)
  const restored = (e: HistoryEvent): boolean => designation.communes.some((m) => m.commune.insee === e.from.insee && "name" in e.from && m.commune.name === e.from.name);
  const formerToo = designation.communes.length > 0 && q.kind === "label-or-name" ? history.bySlug(q.value).filter((e) => !restored(e)).map((e) => traced(history, e, finder)) : [];
  const former = [...designation.former, ...formerToo];
  const keys = [
    ...designation.communes.map((m) => m.commune.key),
    ...former.flatMap((f) => [...f.trace.steps.flatMap((s) => ["key" in s.from ? s.from.key : null, "to" in s ? s.to.key : null].filter((k): k is string => k !== null)), ...(f.successor ? [f.successor.key] : [])]),
    ...(designation.elsewhere?.aliasOf ? [designation.elsewhere.aliasOf] : []),
  ];
  const entries = await readers.read([...(isLabelQuery ? [q.value] : []), ...new Set(keys)]);
  const index = indexLedger(entries);
  const ref = (key: string): CommuneRef | null => {
    const c = finder.find("key", key);
    return c ? candidateOf(c, labels, index) : null;
  };

  const matches = designation.communes.map(({ commune, via }) => checkMatch(commune, via, labels.get(commune.key)!, index, entries, zone));
  const checkFormer = former.map((f) => ({ steps: f.trace.steps.map((s) => ({ ...s, text: describeHistoryEvent(s) })), successor: f.successor ? ref(f.successor.key) : null }));

  // The label the headline is about: the queried one, or the one commune's a code designates.
  const ledgerLabel = isLabelQuery ? labelState(index, q.value) : null;
  // An old name the ledger never held (a renamed commune's): the answer is about the commune's label.
  const byOldName = ledgerLabel?.state === "free" && matches.length === 1 && matches[0]!.matchedBy === "history";
  const headlineLabel = isLabelQuery && !byOldName ? q.value : matches.length === 1 ? (matches[0]!.ledger.label ?? matches[0]!.label ?? matches[0]!.slug) : null;
  let status: LabelStatus | null = null;
  if (headlineLabel !== null) {
    const { byLabel, bySlug } = finder.byLabelOrSlug(headlineLabel);
    status = decideLabelStatus(labelState(index, headlineLabel), { problem: labelProblem(headlineLabel, ws.reserved()), homonymGroupSlug: bySlug.length > 1, computedFor: byLabel ? candidateOf(byLabel, labels, index) : null }, ref);
  }
  const onlyFormer = matches.length === 0 && designation.former.length > 0 && (status === null || status.state === "free");
  const state: CheckState = onlyFormer ? "former" : status ? status.state : "not-found";
  const sentence = onlyFormer
    ? `${q.input.trim()} designates no current commune: ${designation.former.map((f) => formerInShort(f)).join("; ")}.`
    : status
      ? labelStatusSentence(status, zone)
      : `No current or former commune has the ${q.kind === "siren" ? "SIREN" : q.kind === "insee" ? "INSEE code" : "key"} ${q.value}.`;
  const found = matches.length > 0 || former.length > 0 || (ledgerLabel !== null && ledgerLabel.state !== "free");
  const story = tellStory({ q, zone, status, matches, former, designated: designation.former, onlyFormer, finder, labels, index, entries, history, found });
  return {
    query: q.input,
    normalized: { kind: q.kind, unicode: q.unicode, ascii: q.ascii, lookup: q.value },
    state,
    sentence,
    status,
    story,
    ledgerLabel,
    matches,
    former: checkFormer,
    found,
    // Only when nothing is found: the fuzzy index is built on first use.
    ...(found ? {} : { suggestions: suggestCommunes(ws, query).suggestions }),
  };
}

/** The headline of a former commune: what it was and what it is part of now (the story gives the details). */
function formerInShort(f: FormerDesignation): string {
  const e = f.trace.steps[0]!;
  if (e.kind === "disappeared") return `it was ${e.from.name} (${e.from.departement}), gone from the COG of 1 January ${e.cog} with no successor named`;
  const was = "name" in e.from ? `${e.from.name} (${e.from.departement})` : `a former INSEE code of ${e.to.name} (${e.to.departement})`;
  const now = f.successor ? `${f.successor.name} (${f.successor.departement})` : null;
  switch (e.kind) {
    case "merger":
      return `it was ${was}, merged into ${e.to.name} (${e.to.departement}) on 1 January ${e.cog}${now && f.successor!.key !== e.to.key ? `, now part of ${now}` : ""}`;
    case "rename":
    case "recode":
      return `it was ${was}, now ${now ?? "gone"}`;
    case "delegated":
      return `it was ${was}, merged before 2022 into ${e.to.name} (${e.to.departement})${now && f.successor!.key !== e.to.key ? `, now part of ${now}` : ""}`;
    case "former-code":
      return `it is ${was}${now && f.successor!.key !== e.to.key ? `, now part of ${now}` : ""}`;
  }
}

function traced(history: CommuneHistory, e: HistoryEvent, finder: CommuneFinder): FormerDesignation {
  const trace = history.trace(e, (key) => finder.find("key", key) !== undefined);
  return { trace, successor: trace.currentKey ? finder.find("key", trace.currentKey)! : null };
}

function checkMatch(commune: Commune, via: DesignatedVia, computed: ComputedLabel, index: LedgerIndex, entries: readonly LedgerEntry[], zone: string): CheckMatch {
  return {
    ...communeLabelView(commune, computed),
    fqdn: computed.label ? `${computed.label}.${zone}` : null,
    matchedBy: via,
    explanation: explainReason(computed, commune.departement),
    ledger: communeLedgerView(commune.key, entries, index.primaryByKey.get(commune.key), zone),
  };
}

/** What the ledger says of one commune: its primary label, since when, services, aliases, labels reserved for it. */
export function communeLedgerView(key: string, entries: readonly LedgerEntry[], primary: LedgerEntry | undefined, zone: string): CommuneLedgerView {
  const others = entries.filter((e) => e !== primary && (e.key === key || e.aliasOf === key));
  return {
    state: primary ? "allocated" : "not-allocated",
    label: primary?.label ?? null,
    fqdn: primary ? `${primary.label}.${zone}` : null,
    since: primary?.allocatedAt ?? null,
    legacy: primary?.legacy ?? false,
    grandfathered: primary?.grandfathered ?? false,
    services: primary ? Object.keys(primary.services) : [],
    aliases: others.filter((e) => e.state === "alias" && e.aliasOf === key).map((e) => e.label),
    reserved: others.filter((e) => e.state === "reserved" && e.key === key).map((e) => e.label),
  };
}

const named = (c: { name: string; departement: string }): string => `${c.name} (${c.departement})`;

interface StoryInputs {
  q: NormalizedQuery;
  zone: string;
  status: LabelStatus | null;
  matches: CheckMatch[];
  former: FormerDesignation[];
  /** The former communes the query designates (not merely namesakes of a current commune). */
  designated: FormerDesignation[];
  onlyFormer: boolean;
  finder: CommuneFinder;
  labels: ReadonlyMap<string, ComputedLabel>;
  index: LedgerIndex;
  entries: readonly LedgerEntry[];
  history: CommuneHistory;
  found: boolean;
}

/** The reasons after the headline. None restates the state: each explains it or adds what follows from it. */
function tellStory(i: StoryInputs): StoryFact[] {
  const story: StoryFact[] = [];
  const { status, zone } = i;
  const refOf = (m: CheckMatch): CommuneRef => ({ key: m.key, name: m.name, departement: m.departement, insee: m.insee, siren: m.siren, label: m.ledger.label ?? m.label });
  const holder = status?.state === "allocated" ? status.holder : null;

  // 1. The label itself: who else bears the name, why the holder has it anyway.
  const group = i.matches.filter((m) => m.slug === status?.label && m.homonyms.length > 0);
  if (status && group.length > 1) {
    const members = group.map(refOf);
    const keeper = holder && members.some((m) => m.key === holder.key) ? holder : null;
    const others = members.filter((m) => m.key !== keeper?.key);
    const list = others.map((m) => `${m.label ?? "no valid label"} for ${named(m)}`).join(", ");
    story.push({
      kind: "homonyms",
      slug: status.label,
      members,
      keeper,
      text: keeper
        ? `${members.length} current communes bear this name. ${named(keeper)} keeps ${status.label}; the others get their département added: ${list}.`
        : `${members.length} current communes bear this name, so each gets its département added: ${list}.`,
    });
  }
  if (status?.state === "allocated" && holder) {
    if (status.grandfathered) {
      const newcomers = group.map(refOf).filter((m) => m.key !== holder.key);
      story.push({ kind: "kept-after-homonym", holder, label: status.label, newcomers, text: `${named(holder)} held ${status.label} before ${newcomers.length ? newcomers.map(named).join(", ") : "a commune of the same name"} appeared in the COG; a label never moves, so it kept it.` });
    }
    if (status.legacy) story.push({ kind: "legacy", holder, label: status.label, text: `${status.label} was imported as already live for ${named(holder)} (a legacy label), so it stays, whatever the naming rule would give today.` });
  }
  const delegated = status ? i.index.byLabel.get(status.label)?.delegation : undefined;
  if (status && delegated) {
    const fqdn = `${status.label}.${zone}`;
    story.push({
      kind: "delegated",
      label: status.label,
      fqdn,
      nameservers: delegated.nameservers,
      signed: (delegated.ds ?? []).length > 0,
      since: delegated.since,
      text: `${fqdn} is delegated to ${delegated.nameservers.join(", ")}: its records (mail, web) live in that zone, not in ${zone}, which publishes only its NS set${(delegated.ds ?? []).length > 0 ? " and DS" : ""}; \`domaines verify ${fqdn}\` follows the delegation.`,
    });
  }
  if (status?.state === "reserved" && status.reason === "reserved-list" && status.problem) story.push({ kind: "hint", text: `${status.problem}: names the platform itself uses are never given to a commune.` });

  // 2. Each commune the query designates: why its label has its form, and what the ledger keeps for it.
  if (group.length <= 1) {
    for (const m of i.matches) {
      const held = m.ledger.label;
      const rule = `${m.explanation}`;
      const text = !m.label
        ? `${named(m)}'s name gives no valid label: ${m.problem}.`
        : !held
          ? `${named(m)} will get ${m.label} by the naming rule: ${rule}.`
          : held === m.label
            ? `${named(m)} has ${m.label} by the naming rule: ${rule}.`
            : `By the naming rule ${named(m)} would now get ${m.label} (${rule}), but it keeps ${held}: a label never moves once allocated.`;
      story.push({ kind: "label-rule", commune: refOf(m), reason: m.reason, computed: m.label, held, text });
    }
  }
  for (const m of i.matches) {
    if (m.ledger.reserved.length) story.push({ kind: "rename-reserved", commune: refOf(m), labels: m.ledger.reserved, text: `${m.ledger.reserved.join(", ")} ${m.ledger.reserved.length > 1 ? "are" : "is"} reserved for ${named(m)} after its rename; \`domaines allocate ${m.insee} --switch\` makes it its label.` });
    if (m.ledger.aliases.length) story.push({ kind: "aliases", commune: refOf(m), labels: m.ledger.aliases, text: `Mail for ${m.ledger.aliases.map((l) => `${l}.${zone}`).join(", ")} (former communes' labels) arrives at ${named(m)}.` });
  }

  // 3. Former communes: what happened and when, and where their mail goes.
  const formerEntries = new Map(i.entries.filter((e) => e.key !== null).map((e) => [`${e.key}|${e.state}`, e]));
  for (const f of i.former) {
    const alsoNamed = !i.designated.includes(f);
    for (const s of f.trace.steps) story.push({ kind: "history", event: s, text: `${describeHistoryEvent(s)}.` });
    // (The headline already said where a former commune went; the facts give its codes and date.)
    const first = f.trace.steps[0]!;
    if (!f.successor || first.kind === "rename" || first.kind === "recode") continue;
    const formerKey = "key" in first.from ? first.from.key : null;
    const formerName = "name" in first.from ? first.from.name : first.from.insee;
    const formerLabel = formerKey ? (formerEntries.get(`${formerKey}|alias`) ?? formerEntries.get(`${formerKey}|tombstone`))?.label ?? null : null;
    const inherited = formerKey ? i.entries.find((e) => e.state === "allocated" && e.inheritedFrom === formerKey) : undefined;
    const primary = i.index.primaryByKey.get(f.successor.key);
    const successor = candidateOf(f.successor, i.labels, i.index);
    const where = primary
      ? `${named(successor)} holds ${primary.label}.${zone}${Object.keys(primary.services).length ? ` (enrolled in ${Object.keys(primary.services).join(", ")})` : " (enrolled in no service yet)"}`
      : `${named(successor)} holds no label in the ledger yet (it would get ${successor.label ?? "no valid label"})`;
    const label = inherited?.label ?? formerLabel;
    if (alsoNamed && !label) continue; // a namesake's successor: its mail matters only if the ledger knew its label
    const text = label
      ? `Mail for ${label}.${zone}, ${formerName}'s label, goes to ${named(successor)}: ${inherited ? "it inherited that label" : `the label is its alias; ${where}`}.`
      : `${formerKey ? `The ledger never held a label for ${formerName}; ` : ""}${where}.`;
    story.push({ kind: "mail", former: formerName, formerLabel: label, successor, successorState: primary ? "allocated" : "not-allocated", services: primary ? Object.keys(primary.services) : [], text });
  }

  // Found by an old name or code: what happened comes first.
  if (i.matches.some((m) => m.matchedBy === "history")) story.sort((a, b) => Number(b.kind === "history") - Number(a.kind === "history"));
  if (!i.found && (status === null || status.state === "free")) story.push({ kind: "hint", text: "Try the name with its accents, the INSEE code or the SIREN; `domaines names --departement D` lists a département's communes." });
  return story;
}

import type { Commune } from "../communes/schema.js";
import { InputError } from "../errors.js";
import { indexLedger, newAllocatedEntry } from "../ledger/entries.js";
import { contestedBy, type ContestedLabels } from "../ledger/import.js";
import type { AdoptedRecord, Delegation, LedgerEntry } from "../ledger/schema.js";
import { labelProblem } from "../naming/label.js";
import type { ComputedLabel } from "../naming/labels.js";
import { peoplePluginSlug } from "../naming/people-plugin.js";
import { canonicalIPv6 } from "../dns/resolve.js";
import { UNPUBLISHED_TYPES } from "./applied.js";
import { componentUrn, recordResourceName, ZONE_RECORD_TYPE } from "./logical-names.js";
import { ZONE_OWNER, type DesiredZone, type OwnerRecords } from "./model.js";
import type { DesiredRecord, RecordHolder } from "./types.js";
import { isAdoptedFinding, validateZone } from "./validate.js";
import type { ZoneFileRecord } from "./zone-parse.js";

/**
 * `import --zone`: what an RFC 1035 export of the live zone says, name by name, against
 * the ledger and the commune data. Each first-level name below the zone is one item: a
 * commune's label (already in the ledger, named by the mapping file, its computed label,
 * or the people plugin's spelling of its name), delegated (NS there) or holding records
 * to adopt; the zone level; or a name to review. Pure: the operation runs it inside one
 * ledger transaction and writes its entries only when nothing is left to review.
 *
 * Adopted records are kept in the ledger, per label (`adopted`), as the label's desired
 * records: the record model publishes them (a service's own records replace an adopted
 * RRset of the same name and type), so the zone file, `plan`, the diff and the Pulumi
 * program all derive from them, and the first `pulumi up` after the `pulumi import` this
 * report gives changes nothing. Only RRsets that differ from what the model would publish
 * anyway are adopted.
 */

export type ItemStatus = "new" | "existing" | "zone-level" | "ignored" | "review" | "conflict";

/** How the label was matched to its commune. */
export type MatchedBy = "ledger" | "mapping" | "computed-label" | "people-plugin";

export interface LiveRecord {
  line: number;
  /** Relative to the zone ("bonnil", "dimail._domainkey.bonnil", "" for the apex). */
  name: string;
  type: string;
  ttl: number;
  value: string;
}

export interface ImportItem {
  /** The first-level label ("@" for the zone level). */
  label: string;
  fqdn: string;
  status: ItemStatus;
  /** The commune the label is (for new and existing items), as support staff name it. */
  commune: { key: string; name: string; departement: string; insee: string } | null;
  matchedBy: MatchedBy | null;
  /** The label is delegated there: its name servers (and DS). */
  delegation: { nameservers: string[]; ds: string[]; ttl: number } | null;
  /** RRsets adopted as the label's desired records (names relative to the label). */
  adopted: AdoptedRecord[];
  /** What the sentence says: the proposal, or why it needs review. */
  sentence: string;
  /** The records found at and below the name. */
  records: LiveRecord[];
  warnings: string[];
}

export interface ImportMapping {
  line: number;
  label: string;
  /** The commune named, or null for `-` (not a commune: leave the name alone). */
  commune: Commune | null;
}

export interface PulumiImportResource {
  type: string;
  name: string;
  /** `<recordId>.<zone>`; empty when the export carries no record ids (see `missingIds`). */
  id: string;
  parent: string;
}

export interface PulumiImportFile {
  stack: string;
  /** `pulumi up --target` these components first: the import attaches records to them. */
  targets: string[];
  file: { nameTable: Record<string, string>; resources: PulumiImportResource[] };
  /** Records whose OVH id the export does not carry, each with the API call that gives it. */
  missingIds: { name: string; lookup: string }[];
}

export interface ZoneImportPlan {
  zone: string;
  items: ImportItem[];
  /** Items still to review or in conflict: nothing is written while there is one. */
  blocking: number;
  put: LedgerEntry[];
  /** Per stack, what to run `pulumi import` with for the live records the model now publishes. */
  pulumiImport: PulumiImportFile[];
  /** Records the model publishes at these names that the live zone lacks: the first `pulumi up` creates them. */
  toCreate: { stack: string; name: string; type: string; value: string }[];
  warnings: string[];
}

export interface ZoneImportInput {
  zone: string;
  records: readonly ZoneFileRecord[];
  entries: readonly LedgerEntry[];
  communes: readonly Commune[];
  labels: ReadonlyMap<string, ComputedLabel>;
  contested: ContestedLabels;
  reserved: ReadonlySet<string>;
  mapping: readonly ImportMapping[];
  allowContested: boolean;
  now: string;
  /** The record model over a ledger (the configuration and DKIM keys are the caller's). */
  model: (entries: readonly LedgerEntry[]) => DesiredZone;
  /** OVH record ids by `<subdomain>|<TYPE>|<value>` when known (`--ovh-records`). */
  ovhIds?: ReadonlyMap<string, number>;
}

const ADOPTABLE = new Set(["A", "AAAA", "CNAME", "MX", "TXT", "CAA"]);
const describe = (c: Commune) => `${c.name} (${c.departement}, INSEE ${c.insee})`;

/** Parses the mapping CSV: `name,commune` rows, commune a SIREN, an INSEE code or `-` (not a commune). */
export function parseMappingCsv(text: string, file: string, communes: readonly Commune[]): ImportMapping[] {
  const bySiren = new Map(communes.filter((c) => c.siren).map((c) => [c.siren!, c]));
  const byInsee = new Map(communes.map((c) => [c.insee, c]));
  const out: ImportMapping[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.replace(/^\uFEFF/, "").split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    if (out.length === 0 && problems.length === 0 && /^\s*(name|label)\s*[,;]\s*(commune|siren|insee|key)\s*$/i.test(raw)) return;
    const cells = raw.split(/[,;]/).map((c) => c.trim().replace(/^"(.*)"$/, "$1").trim());
    if (cells.length !== 2) return void problems.push(`${file}:${line}: expected 2 columns (name in the zone, SIREN or INSEE code or -), found ${cells.length}`);
    const label = cells[0]!.toLowerCase().replace(/\.$/, "");
    const id = cells[1]!.toUpperCase().replace(/^INSEE:/, "");
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return void problems.push(`${file}:${line}: ${JSON.stringify(cells[0]!.slice(0, 70))} is not a first-level name of the zone (one label, such as uilly)`);
    const dup = seen.get(label);
    if (dup !== undefined) return void problems.push(`${file}:${line}: ${label} already mapped on line ${dup}`);
    seen.set(label, line);
    if (id === "-") return void out.push({ line, label, commune: null });
    const commune = /^\d{9}$/.test(id) ? bySiren.get(id) : /^(\d{5}|2[AB]\d{3})$/.test(id) ? byInsee.get(id) : undefined;
    if (!commune) return void problems.push(`${file}:${line}: ${JSON.stringify(cells[1]!.slice(0, 40))} is not the SIREN or INSEE code of a current commune (or - for a name that is not a commune's)`);
    out.push({ line, label, commune });
  });
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} unreadable row(s), nothing imported:\n  ${problems.slice(0, 30).join("\n  ")}`);
  return out;
}

/** A name relative to the zone, or null when it is outside it. */
function relativeName(fqdn: string, zone: string): string | null {
  if (fqdn === zone) return "";
  return fqdn.endsWith(`.${zone}`) ? fqdn.slice(0, -zone.length - 1) : null;
}

/** The value as compared: host names case-insensitive, IPv6 in full form. */
function comparable(type: string, value: string): string {
  if (type === "TXT" || type === "CAA") return value;
  if (type === "AAAA") return canonicalIPv6(value);
  return value.toLowerCase();
}

const rrsetKey = (name: string, type: string) => `${name}|${type}`;

function sameRRset(live: readonly LiveRecord[], model: readonly DesiredRecord[]): boolean {
  if (live.length !== model.length) return false;
  const want = model.map((r) => `${r.ttl} ${comparable(r.type, r.value)}`).sort();
  const have = live.map((r) => `${r.ttl} ${comparable(r.type, r.value)}`).sort();
  return want.every((w, i) => w === have[i]);
}

/** `adopted-<name>-<type>-<n>`: the Pulumi identity of an adopted record, stable while the live RRset is. */
function adoptedPurpose(relative: string, type: string, n: number): string {
  const base = (relative === "" ? "apex" : relative.replace(/[._]+/g, "-").replace(/^-+|-+$/g, "")).slice(0, 40).replace(/-+$/, "") || "name";
  return `adopted-${base}-${type.toLowerCase()}-${n}`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function planZoneImport(input: ZoneImportInput): ZoneImportPlan {
  const { zone } = input;
  const index = indexLedger(input.entries);
  const byKey = new Map(input.communes.map((c) => [c.key, c]));
  const byComputed = new Map<string, Commune>();
  for (const l of input.labels.values()) if (l.label !== null && byKey.has(l.key)) byComputed.set(l.label, byKey.get(l.key)!);
  const byPlugin = new Map<string, Commune[]>();
  for (const c of input.communes) {
    const slug = peoplePluginSlug(c.name);
    byPlugin.set(slug, [...(byPlugin.get(slug) ?? []), c]);
  }
  const mapping = new Map(input.mapping.map((m) => [m.label, m]));
  const warnings: string[] = [];

  const outside = input.records.filter((r) => relativeName(r.name, zone) === null);
  if (outside.length > 0) {
    throw new InputError(`the export holds ${outside.length} record(s) outside ${zone} (first: line ${outside[0]!.line}, ${outside[0]!.name}); give the export of ${zone} itself (its $ORIGIN or the configuration's zone).`);
  }
  const live: (LiveRecord & { problem: string | null })[] = input.records.map((r) => ({ line: r.line, name: relativeName(r.name, zone)!, type: r.type, ttl: r.ttl, value: r.value, problem: r.problem }));
  const firstLabel = (name: string) => (name === "" ? "" : name.split(".").at(-1)!);
  const isZoneLevel = (name: string) => name === "" || firstLabel(name).startsWith("_") || firstLabel(name) === "*";
  const groups = groupBy(
    live.filter((r) => !(r.name === "" && (r.type === "SOA" || r.type === "NS"))),
    (r) => (isZoneLevel(r.name) ? "@" : firstLabel(r.name)),
  );

  const items: ImportItem[] = [];
  const claimedBy = new Map<string, string>();
  const proposed = new Map<string, LedgerEntry>();
  for (const [label, records] of [...groups].sort(([a], [b]) => (a === "@" ? -1 : b === "@" ? 1 : a < b ? -1 : a > b ? 1 : 0))) {
    const fqdn = label === "@" ? zone : `${label}.${zone}`;
    const base: ImportItem = { label, fqdn, status: "review", commune: null, matchedBy: null, delegation: null, adopted: [], sentence: "", records: records.map(({ problem: _p, ...r }) => r), warnings: [] };
    if (label === "@") {
      items.push({ ...base, status: "zone-level", sentence: `the zone level (${records.length} record(s)): the platform stack's; compared with the model below` });
      continue;
    }
    const verdict = decide(label, input, index, byComputed, byPlugin, mapping);
    if (verdict.status !== "ok") {
      // What the live zone holds there, so that a reviewer knows what is at stake.
      const ns = records.filter((r) => r.name === label && r.type === "NS").map((r) => r.value.replace(/\.$/, ""));
      const found = ns.length > 0 ? `delegated in the live zone to ${ns.join(", ")}` : `${records.length} live record(s) (${[...new Set(records.map((r) => r.type))].join(", ")})`;
      items.push({ ...base, status: verdict.status, sentence: `${found}; ${verdict.sentence}`, warnings: verdict.status === "ignored" && input.contested.homonymSlugs.has(label) ? [`${label} is a homonym group's bare slug: once a member of the group is allocated, the ledger reserves it and the model publishes the no-mail set there, beside these live records; map it to the commune it serves instead`] : [] });
      continue;
    }
    const commune = verdict.commune;
    const other = claimedBy.get(commune.key);
    if (other !== undefined) {
      items.push({ ...base, status: "conflict", sentence: `${describe(commune)} is already matched by ${other} in this export; a commune has one label: map one of them to - (--mapping)` });
      const first = items.find((i) => i.label === other);
      if (first && first.status !== "conflict") first.status = "conflict";
      continue;
    }
    claimedBy.set(commune.key, label);
    const existing = index.byLabel.get(label);
    const start: LedgerEntry = existing ?? { ...newAllocatedEntry(commune, label, input.now), legacy: true };
    const item: ImportItem = { ...base, status: existing ? "existing" : "new", commune: { key: commune.key, name: commune.name, departement: commune.departement, insee: commune.insee }, matchedBy: verdict.matchedBy, warnings: [...verdict.warnings] };
    const unreadable = records.filter((r) => r.problem !== null);
    for (const r of unreadable) item.warnings.push(`line ${r.line}: ${r.name} ${r.type} cannot be taken as it is (${r.problem}); it stays in the live zone, unmanaged`);
    const usable = records.filter((r) => r.problem === null);
    const ns = usable.filter((r) => r.name === label && r.type === "NS");
    let next: LedgerEntry;
    if (ns.length > 0) {
      const ds = usable.filter((r) => r.name === label && r.type === "DS");
      const ttls = new Set([...ns, ...ds].map((r) => r.ttl));
      if (ttls.size > 1) {
        items.push({ ...item, status: "conflict", sentence: `delegated, but its NS and DS records have different TTLs (${[...ttls].join(", ")}); make them equal in the live zone first` });
        continue;
      }
      if (existing?.adopted) {
        items.push({ ...item, status: "conflict", sentence: `delegated in the live zone, but the ledger keeps adopted records for it; resolve by hand` });
        continue;
      }
      const delegation: Delegation = {
        nameservers: [...new Set(ns.map((r) => r.value.toLowerCase().replace(/\.$/, "")))].sort(),
        ...(ds.length > 0 ? { ds: ds.map((r) => r.value).sort() } : {}),
        ttl: ns[0]!.ttl,
        since: existing?.delegation?.since ?? input.now,
      };
      for (const r of usable.filter((r) => !((r.type === "NS" || r.type === "DS") && r.name === label))) {
        item.warnings.push(`line ${r.line}: ${r.name} ${r.type} is at or below the zone cut (occluded: resolvers ignore it, the child zone answers); not adopted, remove it from the live zone`);
      }
      const same = existing?.delegation && JSON.stringify({ ...existing.delegation, since: "" }) === JSON.stringify({ ...delegation, since: "" });
      next = same ? existing : { ...start, delegation, undelegatedAt: undefined, updatedAt: input.now };
      item.delegation = { nameservers: delegation.nameservers, ds: delegation.ds ?? [], ttl: delegation.ttl! };
      if (delegation.ds) item.warnings.push(`${delegation.ds.length} DS record(s): kept in the ledger and the zone file, but OVH's zone records have no DS type, so no stack publishes them; they stay as they are in the live zone`);
    } else {
      const successor = start.state === "alias" && start.aliasOf ? index.primaryByKey.get(start.aliasOf) : undefined;
      const adopted = adoptionFor(start, successor, usable, label, input.model, item.warnings);
      const keep = existing?.adopted && JSON.stringify(existing.adopted) === JSON.stringify(adopted);
      next = keep ? existing : { ...start, adopted: adopted.length > 0 ? adopted : undefined, updatedAt: existing && (existing.adopted !== undefined || adopted.length > 0) ? input.now : start.updatedAt };
      item.adopted = adopted;
    }
    item.sentence = sentenceOf(item, existing !== undefined, next !== existing);
    if (next !== existing) proposed.set(label, next);
    items.push(item);
  }

  const blocking = items.filter((i) => i.status === "review" || i.status === "conflict").length;
  const prospective = [...input.entries.filter((e) => !proposed.has(e.label)), ...proposed.values()];
  let put = blocking === 0 ? [...proposed.values()] : [];
  let pulumiImport: PulumiImportFile[] = [];
  let toCreate: ZoneImportPlan["toCreate"] = [];
  if (blocking === 0) {
    // The model over the ledger as it would be: structural problems refuse; policy findings on adopted records are kept as found.
    const desired = input.model(prospective);
    const touched = new Set(items.filter((i) => i.status === "new" || i.status === "existing").map((i) => i.label));
    const owners = desired.owners.filter((o) => touched.has(o.label));
    const problems = validateZone({ ...desired, owners });
    for (const p of problems) {
      const item = items.find((i) => p.record.name === i.label || p.record.name.endsWith(`.${i.label}`));
      if (isAdoptedFinding(p)) (item?.warnings ?? warnings).push(`kept as found, below the model's mail policy: ${p.message}`);
      else if (item) {
        item.status = "conflict";
        item.sentence = `the records it would publish are not publishable: ${p.message}`;
      } else warnings.push(p.message);
    }
    if (items.some((i) => i.status === "conflict")) put = [];
    else {
      const matched = matchLive(desired, owners, groups, input, items.find((i) => i.label === "@"));
      pulumiImport = matched.files;
      toCreate = matched.toCreate;
    }
  }
  return { zone, items, blocking: items.filter((i) => i.status === "review" || i.status === "conflict").length, put, pulumiImport, toCreate, warnings };
}

type Decision =
  | { status: "ok"; commune: Commune; matchedBy: MatchedBy; warnings: string[] }
  | { status: "ignored" | "review" | "conflict"; sentence: string };

/** Who a first-level label is: the ledger's holder first, then the mapping, the computed label, the people plugin's spelling. */
function decide(
  label: string,
  input: ZoneImportInput,
  index: ReturnType<typeof indexLedger>,
  byComputed: ReadonlyMap<string, Commune>,
  byPlugin: ReadonlyMap<string, Commune[]>,
  mapping: ReadonlyMap<string, ImportMapping>,
): Decision {
  const byKey = new Map(input.communes.map((c) => [c.key, c]));
  const mapped = mapping.get(label);
  const held = index.byLabel.get(label);
  const homonyms = input.contested.homonymSlugs.get(label);
  const collision = homonyms ? `it collides with the reserved slug of a homonym group (${homonyms.length} communes, INSEE ${homonyms.slice(0, 5).join(", ")}${homonyms.length > 5 ? ", …" : ""}), which the model gives to none of them` : null;
  if (held) {
    if (held.state === "reserved" || held.state === "tombstone") {
      return { status: "conflict", sentence: `the ledger holds ${label} as ${held.state}${held.reservedReason ? ` (${held.reservedReason})` : ""}: no commune's records belong there, yet the live zone has some; remove them from the live zone (the model publishes the no-mail set there)` };
    }
    const commune = held.key ? byKey.get(held.state === "alias" ? held.aliasOf ?? held.key : held.key) : undefined;
    if (mapped && mapped.commune?.key !== held.key) return { status: "conflict", sentence: `the mapping (line ${mapped.line}) says ${mapped.commune ? describe(mapped.commune) : "-"}, but the ledger holds ${label} for ${held.name ?? held.key}` };
    if (!commune) return { status: "conflict", sentence: `the ledger holds ${label} for ${held.key}, which is not a current commune` };
    return { status: "ok", commune, matchedBy: "ledger", warnings: held.state === "alias" ? [`an alias in the ledger (of ${describe(commune)})`] : [] };
  }
  const invalid = labelProblem(label, input.reserved);
  if (mapped?.commune === null) return { status: "ignored", sentence: `left alone as the mapping asks (line ${mapped.line}): not a commune's name; its records stay live and unmanaged` };
  if (invalid) return { status: "review", sentence: `not a commune label (${invalid.message}); map it to - (--mapping) to leave it alone` };
  let candidate: { commune: Commune; matchedBy: MatchedBy } | null = null;
  if (mapped?.commune) candidate = { commune: mapped.commune, matchedBy: "mapping" };
  else if (byComputed.has(label)) candidate = { commune: byComputed.get(label)!, matchedBy: "computed-label" };
  else {
    const plugin = byPlugin.get(label) ?? [];
    if (plugin.length === 1) candidate = { commune: plugin[0]!, matchedBy: "people-plugin" };
    else if (plugin.length > 1) {
      return { status: "review", sentence: `${collision ? `${collision}; ` : ""}the people plugin gave this label to any of ${plugin.length} communes of that name (${plugin.slice(0, 4).map(describe).join(", ")}${plugin.length > 4 ? ", …" : ""}): name the one it serves (--mapping ${label},<SIREN>${collision ? " and --allow-contested-labels" : ""})` };
    }
  }
  if (!candidate) {
    return { status: "review", sentence: collision ? `${collision}; name the commune it serves (--mapping ${label},<SIREN>, with --allow-contested-labels) or leave it (${label},-)` : `unknown name: no commune's label, name or the people plugin's spelling of one gives it; map it (--mapping ${label},<SIREN>) or leave it alone (${label},-)` };
  }
  const primary = index.primaryByKey.get(candidate.commune.key);
  if (primary && primary.label !== label) return { status: "conflict", sentence: `${describe(candidate.commune)} already holds ${primary.label} in the ledger; a commune has one label (map ${label} to - or resolve by hand)` };
  const contested = contestedBy(label, candidate.commune.key, input.contested, byKey);
  if (contested && !input.allowContested) return { status: "conflict", sentence: `${contested}; pass --allow-contested-labels if ${label} really is ${describe(candidate.commune)}'s live domain` };
  return { status: "ok", ...candidate, warnings: contested ? [`${contested}; recorded for ${describe(candidate.commune)} as asked (--allow-contested-labels)`] : [] };
}

/** The RRsets to adopt: the live ones that differ from what the model publishes for the label anyway. */
function adoptionFor(entry: LedgerEntry, successor: LedgerEntry | undefined, records: readonly LiveRecord[], label: string, model: ZoneImportInput["model"], warnings: string[]): AdoptedRecord[] {
  const bare: LedgerEntry = { ...entry, adopted: undefined };
  const desired = model(successor ? [bare, successor] : [bare]).owners.find((o) => o.label === label);
  const modelSets = groupBy(desired?.records ?? [], (r) => rrsetKey(r.name, r.type));
  const adopted: AdoptedRecord[] = [];
  for (const [key, set] of groupBy(records, (r) => rrsetKey(r.name, r.type))) {
    const { name, type } = set[0]!;
    if (!ADOPTABLE.has(type)) {
      for (const r of set) warnings.push(`line ${r.line}: ${r.name} ${r.type} is not a type the record model publishes; it stays in the live zone, unmanaged`);
      continue;
    }
    if (sameRRset(set, modelSets.get(key) ?? [])) continue;
    const relative = name === label ? "" : name.slice(0, -label.length - 1);
    [...set].sort((a, b) => (a.value < b.value ? -1 : 1)).forEach((r, i) => adopted.push({ purpose: adoptedPurpose(relative, type, i + 1), name: relative, type: type as AdoptedRecord["type"], ttl: r.ttl, value: r.value }));
  }
  return adopted.sort((a, b) => (a.purpose < b.purpose ? -1 : 1));
}

function sentenceOf(item: ImportItem, existing: boolean, changed: boolean): string {
  const c = item.commune!;
  const who = `${existing ? "the label" : "legacy label"} of ${c.name} (${c.departement}, INSEE ${c.insee})`;
  const via = { ledger: "already in the ledger", mapping: "as the mapping says", "computed-label": "its computed label", "people-plugin": "the people plugin's spelling of its name" }[item.matchedBy!];
  if (item.delegation) return `${who} (${via}), delegated to ${item.delegation.nameservers.join(", ")}${item.delegation.ds.length > 0 ? ` with ${item.delegation.ds.length} DS` : ""}: the parent keeps only its NS set${changed ? "" : " (as the ledger says already)"}`;
  if (!changed) return `${who} (${via}): the ledger already says what the live zone holds, nothing to change`;
  return item.adopted.length > 0 ? `${who} (${via}), ${item.adopted.length} record(s) to adopt as its desired records` : `${who} (${via}), its live records are what the model publishes`;
}

/**
 * Matches each live record of the imported names (and the zone level) with the record the
 * model now publishes there: those become the `pulumi import` resources, one file per
 * stack; the model's records no live record matches are what the first `pulumi up` creates.
 */
function matchLive(desired: DesiredZone, owners: readonly OwnerRecords[], groups: ReadonlyMap<string, readonly LiveRecord[]>, input: ZoneImportInput, zoneItem: ImportItem | undefined): { files: PulumiImportFile[]; toCreate: ZoneImportPlan["toCreate"] } {
  const files = new Map<string, PulumiImportFile>();
  const toCreate: ZoneImportPlan["toCreate"] = [];
  const stackOf = (departement: string | null) => (departement === null ? "platform" : `dep-${departement.toLowerCase()}`);
  const add = (stack: string, holder: RecordHolder, owner: string, label: string, modelRecords: readonly DesiredRecord[], liveRecords: readonly LiveRecord[]): LiveRecord[] => {
    const pool = [...liveRecords];
    for (const r of modelRecords) {
      if (UNPUBLISHED_TYPES.has(r.type)) continue;
      const i = pool.findIndex((l) => l.name === r.name && l.type === r.type && l.ttl === r.ttl && comparable(l.type, l.value) === comparable(r.type, r.value));
      if (i < 0) {
        toCreate.push({ stack, name: r.name, type: r.type, value: r.value });
        continue;
      }
      const [l] = pool.splice(i, 1);
      const file = files.get(stack) ?? { stack, targets: [], file: { nameTable: {}, resources: [] }, missingIds: [] };
      files.set(stack, file);
      const urn = componentUrn(stack, holder, owner);
      if (!file.targets.includes(urn)) file.targets.push(urn);
      file.file.nameTable[label] = urn;
      const name = recordResourceName(r);
      const id = input.ovhIds?.get(`${l!.name}|${l!.type}|${comparable(l!.type, l!.value)}`);
      file.file.resources.push({ type: ZONE_RECORD_TYPE, name, id: id === undefined ? "" : `${id}.${desired.zone}`, parent: label });
      if (id === undefined) file.missingIds.push({ name, lookup: `GET /domain/zone/${desired.zone}/record?fieldType=${r.type}&subDomain=${encodeURIComponent(r.name)}` });
    }
    return pool;
  };
  const zoneLive = groups.get("@") ?? [];
  for (const l of add("platform", { kind: "zone" }, ZONE_OWNER, "zone", desired.zoneRecords, zoneLive)) {
    zoneItem?.warnings.push(`line ${l.line}: ${l.name || "@"} ${l.type} ${l.value} is not a zone-level record of the model; it stays live, unmanaged by the platform stack`);
  }
  for (const o of owners) add(stackOf(o.departement), o.holder, o.owner, o.label, o.records, groups.get(o.label) ?? []);
  return { files: [...files.values()].sort((a, b) => (a.stack < b.stack ? -1 : 1)), toCreate };
}

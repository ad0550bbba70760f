import type { Commune, CommuneData } from "../communes/schema.js";
import type { ComputedLabel } from "../naming/labels.js";
import { chooseLabel, planAllocation, type AllocationResult } from "./allocation.js";
import { indexLedger, lastInsee, lastName, renameReservation } from "./entries.js";
import type { Enrolment, LedgerEntry } from "./schema.js";

interface CommuneRef {
  key: string;
  insee: string;
  name: string;
  departement: string;
}

export interface CogSyncReport {
  source: string;
  inseeChanges: { commune: CommuneRef; from: string; to: string }[];
  renames: { commune: CommuneRef; from: string; label: string; reservedLabel: string | null; note: string }[];
  mergers: {
    absorbed: { key: string; insee: string; name: string; label: string };
    successor: CommuneRef;
    /** How the data names the successor: it now carries the same INSEE code, or a délégué entry's chefLieu. */
    via: "same-insee" | "chef-lieu";
    /** inherited: the successor took the label as its primary (it has the same computed label); alias otherwise. */
    outcome: "inherited" | "alias";
    movedServices: string[];
  }[];
  successorsAllocated: AllocationResult[];
  tombstones: { key: string; insee: string | null; name: string | null; labels: string[] }[];
  repointedAliases: { label: string; from: string; to: string }[];
  newHomonyms: { label: string; holder: CommuneRef; newcomers: (CommuneRef & { label: string | null })[] }[];
  problems: string[];
}

const ref = (c: Commune): CommuneRef => ({ key: c.key, insee: c.insee, name: c.name, departement: c.departement });

/**
 * The successor of a commune that vanished from the data, as the data itself names it:
 * the current commune now carrying its INSEE code, or the commune nouvelle a délégué or
 * associé entry with that code points to (`chefLieu`, followed a few hops).
 */
export function findSuccessor(insee: string | undefined, byInsee: ReadonlyMap<string, Commune>, chefLieu: ReadonlyMap<string, string>): { commune: Commune; via: "same-insee" | "chef-lieu" } | null {
  if (insee === undefined) return null;
  const same = byInsee.get(insee);
  if (same) return { commune: same, via: "same-insee" };
  let code = insee;
  for (let hop = 0; hop < 4; hop++) {
    const next = chefLieu.get(code);
    if (next === undefined || next === code) break;
    const found = byInsee.get(next);
    if (found) return { commune: found, via: "chef-lieu" };
    code = next;
  }
  return null;
}

/**
 * Compares the ledger with the current commune data and applies the naming spec's rules
 * (Stability): INSEE changes and renames touch only history (a rename also reserves the
 * new name's label for its holder); a vanished commune's label becomes an alias of its
 * legal successor (or the successor's own label when its computed label is the same),
 * or a tombstone when the data names no successor; an allocated bare label that gained a
 * homonym stays with its holder (grandfathered). `labels` are the data's computed labels
 * (with or without `taken`: the ledger is checked again here).
 */
export function planCogSync(
  entries: readonly LedgerEntry[],
  data: CommuneData,
  labels: ReadonlyMap<string, ComputedLabel>,
  reserved: ReadonlySet<string>,
  now: string,
): { put: LedgerEntry[]; report: CogSyncReport } {
  const report: CogSyncReport = { source: data.source, inseeChanges: [], renames: [], mergers: [], successorsAllocated: [], tombstones: [], repointedAliases: [], newHomonyms: [], problems: [] };
  const work = new Map(entries.map((e) => [e.label, e]));
  const changed = new Set<string>();
  const set = (e: LedgerEntry): void => {
    work.set(e.label, e);
    changed.add(e.label);
  };
  const byKey = new Map(data.communes.map((c) => [c.key, c]));
  const byInsee = new Map(data.communes.map((c) => [c.insee, c]));
  const chefLieu = new Map<string, string>();
  for (const d of data.delegated) chefLieu.set(d.insee, d.chefLieu);

  // 1. Communes still there: history only (and a reserved label after a rename).
  for (const e of entries) {
    if (e.state !== "allocated" || e.key === null) continue;
    const c = byKey.get(e.key);
    if (!c) continue;
    let next = e;
    const was = lastInsee(e);
    if (was !== c.insee) {
      report.inseeChanges.push({ commune: ref(c), from: was ?? "unknown", to: c.insee });
      next = { ...next, inseeHistory: [...next.inseeHistory, { insee: c.insee, since: now }], updatedAt: now };
    }
    const oldName = lastName(e);
    if (oldName !== c.name) {
      next = { ...next, nameHistory: [...next.nameHistory, { name: c.name, since: now }], updatedAt: now };
      report.renames.push(planRenameReservation(c, oldName ?? "unknown", e, labels, work, reserved, now, set));
    }
    if (next !== e) set(next);
  }

  // 2. Communes gone from the data: successor, or tombstone.
  const gone = entries.filter((e) => e.state === "allocated" && e.key !== null && !byKey.has(e.key));
  const bySuccessor = new Map<string, { successor: Commune; via: "same-insee" | "chef-lieu"; absorbed: LedgerEntry[] }>();
  const successorOf = new Map<string, string | null>();
  for (const e of gone) {
    const s = findSuccessor(lastInsee(e), byInsee, chefLieu);
    successorOf.set(e.key!, s?.commune.key ?? null);
    if (!s) continue;
    const group = bySuccessor.get(s.commune.key) ?? { successor: s.commune, via: s.via, absorbed: [] };
    group.absorbed.push(e);
    bySuccessor.set(s.commune.key, group);
  }
  for (const { successor, via, absorbed } of bySuccessor.values()) {
    let primary = indexLedger([...work.values()]).primaryByKey.get(successor.key);
    let heir: LedgerEntry | undefined;
    if (!primary) {
      // The successor takes the absorbed label as its own only when its computed label is that label.
      const natural = labels.get(successor.key);
      heir = absorbed.find((a) => natural !== undefined && (a.label === natural.label || a.label === naturalSuffixed(natural, successor)));
      if (heir) {
        primary = {
          ...heir,
          key: successor.key,
          inheritedFrom: heir.key!,
          name: successor.name,
          departement: successor.departement,
          inseeHistory: [{ insee: successor.insee, since: now }],
          nameHistory: [],
          updatedAt: now,
          grandfathered: false,
        };
        set(primary);
      } else {
        const plan = planAllocation([...work.values()], [successor], labels, reserved, now);
        if (plan.failures[0]) {
          report.problems.push(`successor ${successor.name} (${successor.insee}) of ${absorbed.map((a) => a.label).join(", ")}: ${plan.failures[0].message}`);
          continue;
        }
        plan.put.forEach(set);
        report.successorsAllocated.push(...plan.results);
        primary = plan.put.find((p) => p.key === successor.key)!;
      }
    }
    let services: Record<string, Enrolment> = { ...primary.services };
    for (const a of absorbed) {
      const moved = Object.keys(a.services).filter((s) => services[s] === undefined);
      for (const s of moved) services[s] = a.services[s]!;
      report.mergers.push({
        absorbed: { key: a.key!, insee: lastInsee(a) ?? "unknown", name: lastName(a) ?? "unknown", label: a.label },
        successor: ref(successor),
        via,
        outcome: a === heir ? "inherited" : "alias",
        movedServices: a === heir ? [] : moved,
      });
      if (a !== heir) set({ ...a, state: "alias", aliasOf: successor.key, inheritedFrom: undefined, services: {}, grandfathered: false, updatedAt: now });
    }
    services = Object.fromEntries(Object.entries(services).sort(([x], [y]) => (x < y ? -1 : 1)));
    if (JSON.stringify(services) !== JSON.stringify(primary.services)) set({ ...work.get(primary.label)!, services, updatedAt: now });
  }

  // 3. What pointed to a vanished key: tombstones, re-pointed aliases, stale rename reservations.
  const tombstoneByKey = new Map<string, CogSyncReport["tombstones"][number]>();
  const tombstone = (e: LedgerEntry): void => {
    // A tombstone receives no mail: records adopted from the live zone and a delegation end with it (the no-mail set replaces them).
    set({ ...e, state: "tombstone", tombstonedAt: now, updatedAt: now, services: {}, aliasOf: undefined, reservedReason: undefined, inheritedFrom: undefined, adopted: undefined, delegation: undefined, undelegatedAt: e.delegation ? now : e.undelegatedAt });
    const t = tombstoneByKey.get(e.key!) ?? { key: e.key!, insee: lastInsee(e) ?? null, name: lastName(e) ?? null, labels: [] };
    t.labels.push(e.label);
    tombstoneByKey.set(e.key!, t);
  };
  for (const e of gone) if (successorOf.get(e.key!) === null) tombstone(e);
  for (const e of [...work.values()]) {
    if (e.state === "alias" && e.aliasOf !== undefined && successorOf.has(e.aliasOf)) {
      const to = successorOf.get(e.aliasOf) ?? null;
      if (to === null) tombstone(e);
      else {
        set({ ...e, aliasOf: to, updatedAt: now });
        report.repointedAliases.push({ label: e.label, from: e.aliasOf, to });
      }
    } else if (e.state === "reserved" && e.reservedReason === "rename" && e.key !== null && successorOf.has(e.key)) {
      tombstone(e);
    }
  }
  report.tombstones.push(...tombstoneByKey.values());

  // 4. New homonyms of an allocated bare label: the holder keeps it, marked grandfathered.
  const slugMembers = new Map<string, Commune[]>();
  for (const c of data.communes) {
    const slug = labels.get(c.key)?.slug;
    if (slug === undefined) continue;
    const list = slugMembers.get(slug);
    if (list) list.push(c);
    else slugMembers.set(slug, [c]);
  }
  for (const e of [...work.values()]) {
    if (e.state !== "allocated" || e.grandfathered || e.key === null) continue;
    const members = slugMembers.get(e.label);
    const holder = byKey.get(e.key);
    if (!holder || !members || members.length < 2 || labels.get(holder.key)?.slug !== e.label) continue;
    set({ ...e, grandfathered: true, updatedAt: now });
    const index = indexLedger([...work.values()]);
    report.newHomonyms.push({
      label: e.label,
      holder: ref(holder),
      newcomers: members.filter((m) => m.key !== holder.key).map((m) => ({ ...ref(m), label: index.primaryByKey.get(m.key)?.label ?? labels.get(m.key)?.label ?? null })),
    });
  }

  return { put: [...changed].map((l) => work.get(l)!), report };
}

/** `<slug>-<dep>`: what a homonym-group member's computed label is before any fallback. */
function naturalSuffixed(natural: ComputedLabel, c: Commune): string | null {
  return natural.homonyms.length > 0 ? `${natural.slug}-${c.departement.toLowerCase()}` : null;
}

function planRenameReservation(
  c: Commune,
  from: string,
  e: LedgerEntry,
  labels: ReadonlyMap<string, ComputedLabel>,
  work: ReadonlyMap<string, LedgerEntry>,
  reserved: ReadonlySet<string>,
  now: string,
  set: (e: LedgerEntry) => void,
): CogSyncReport["renames"][number] {
  const base = { commune: ref(c), from, label: e.label };
  const computed = labels.get(c.key);
  if (!computed || computed.label === null) return { ...base, reservedLabel: null, note: `the new name gives no valid label (${computed?.problem?.message ?? "not computed"}); the label stays` };
  const mine = [...work.values()].find((x) => x.key === c.key && (x.label === computed.label || x.label === naturalSuffixed(computed, c)) && x.state !== "tombstone");
  if (mine) return { ...base, reservedLabel: mine.label === e.label ? null : mine.label, note: mine.label === e.label ? "the new name gives the same label; nothing to reserve" : `"${mine.label}" is already reserved for it` };
  const choice = chooseLabel(c, computed, new Set(work.keys()), reserved);
  if ("problem" in choice) return { ...base, reservedLabel: null, note: `no label could be reserved for the new name: ${choice.problem}` };
  set(renameReservation(c, choice.label, now));
  return { ...base, reservedLabel: choice.label, note: `the label stays "${e.label}"; "${choice.label}" is reserved for it until it asks to switch` };
}

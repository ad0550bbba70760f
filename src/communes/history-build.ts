import { findSuccessor } from "../ledger/cog-sync.js";
import type { Commune, CommuneData } from "./schema.js";
import type { Earlier, HistoryChange, HistoryCommune, HistoryFile } from "./history-schema.js";

/** One COG snapshot as the builder reads it: the parsed communes and the raw `anciensCodes`. */
export interface HistorySnapshot {
  cog: number;
  version: string;
  data: CommuneData;
  /** INSEE code of each current commune → its `anciensCodes` (older codes of the same commune). */
  formerCodes: ReadonlyMap<string, readonly string[]>;
}

const ref = (c: Commune): HistoryCommune => ({ key: c.key, insee: c.insee, name: c.name, departement: c.departement });

/**
 * The changes between consecutive snapshots, dated by the COG that first shows them (the
 * COG is the state on 1 January): a commune whose key (SIREN) vanished merged into its
 * successor or disappeared; a key still there was renamed and/or re-coded. The oldest
 * snapshot adds what it knows of earlier years, undated: its communes déléguées and
 * associées (former communes, with the commune nouvelle they belong to) and its
 * `anciensCodes`.
 */
export function buildHistory(snapshots: readonly HistorySnapshot[]): HistoryFile {
  const ordered = [...snapshots].sort((a, b) => a.cog - b.cog);
  const events: HistoryChange[] = [];
  for (let i = 1; i < ordered.length; i++) events.push(...between(ordered[i - 1]!, ordered[i]!));
  return { format: 1, snapshots: ordered.map((s) => ({ cog: s.cog, version: s.version })), events, earlier: ordered[0] ? earlierThan(ordered[0]) : [] };
}

function between(prev: HistorySnapshot, next: HistorySnapshot): HistoryChange[] {
  const cog = next.cog;
  const byKey = new Map(next.data.communes.map((c) => [c.key, c]));
  const byInsee = new Map(next.data.communes.map((c) => [c.insee, c]));
  const chefLieu = new Map(next.data.delegated.map((d) => [d.insee, d.chefLieu]));
  const out: HistoryChange[] = [];
  for (const c of prev.data.communes) {
    const now = byKey.get(c.key);
    if (now) {
      if (now.name !== c.name) out.push({ kind: "rename", cog, from: ref(c), to: ref(now) });
      if (now.insee !== c.insee) out.push({ kind: "recode", cog, from: ref(c), to: ref(now) });
      continue;
    }
    // The same rule as cog-sync: the commune now carrying its code, or its délégué entry's chefLieu.
    const s = findSuccessor(c.insee, byInsee, chefLieu);
    out.push(s ? { kind: "merger", cog, via: s.via, from: ref(c), to: ref(s.commune) } : { kind: "disappeared", cog, from: ref(c) });
  }
  return out;
}

function earlierThan(snapshot: HistorySnapshot): Earlier[] {
  const before = snapshot.cog;
  const byInsee = new Map(snapshot.data.communes.map((c) => [c.insee, c]));
  const byTarget = new Map<string, Earlier>();
  const of = (c: Commune): Earlier => {
    let e = byTarget.get(c.key);
    if (!e) byTarget.set(c.key, (e = { before, to: ref(c), names: [], codes: [] }));
    return e;
  };
  for (const d of snapshot.data.delegated) {
    const parent = byInsee.get(d.chefLieu);
    // A délégué with the name and code of its commune nouvelle teaches nothing.
    if (!parent || (parent.insee === d.insee && parent.name === d.name)) continue;
    of(parent).names.push([d.insee, d.name, d.type === "commune-deleguee" ? "D" : "A"]);
  }
  for (const [insee, codes] of snapshot.formerCodes) {
    const c = byInsee.get(insee);
    if (!c) continue;
    for (const code of codes) {
      if (code === insee || byInsee.has(code) || byTarget.get(c.key)?.names.some(([n]) => n === code)) continue;
      of(c).codes.push(code);
    }
  }
  return [...byTarget.values()];
}

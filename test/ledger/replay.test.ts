import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain .mjs bench module without types
import { replay, summaryRows } from "../../bench/ledger-replay.mjs";
import { slugify } from "../../src/naming/slug.js";

interface Entry {
  label: string;
  state: string;
  key: string | null;
  aliasOf?: string;
  inheritedFrom?: string;
  grandfathered?: boolean;
}
interface Raw {
  code: string;
  nom: string;
  type: string;
  siren?: string;
  departement?: string;
  chefLieu?: string;
}
interface Year {
  year: number;
  file: string;
  entries: Entry[];
  validate: { ok: boolean; problems: string[] };
  sync: { summary: Record<string, number> } | null;
}

const snapshots = new Map<string, ReturnType<typeof readSnapshot>>();
function snapshot(file: string): ReturnType<typeof readSnapshot> {
  if (!snapshots.has(file)) snapshots.set(file, readSnapshot(file));
  return snapshots.get(file)!;
}

/** The data of one COG snapshot, read here independently of src/communes. */
function readSnapshot(file: string) {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Raw[];
  const current = raw.filter((r) => r.type === "commune-actuelle" && r.departement !== "984" && r.departement !== "989");
  const keyOf = (r: Raw) => r.siren ?? `insee:${r.code}`;
  return {
    byKey: new Map(current.map((r) => [keyOf(r), r])),
    byCode: new Map(current.map((r) => [r.code, r])),
    chefLieu: raw.filter((r) => r.type !== "commune-actuelle" && r.chefLieu).map((r) => ({ code: r.code, chefLieu: r.chefLieu! })),
    keyOf,
    slugCount: current.reduce((m, r) => m.set(slugify(r.nom), (m.get(slugify(r.nom)) ?? 0) + 1), new Map<string, number>()),
  };
}

/** Legal successors of a commune with INSEE `code` in the next snapshot: same code, or a délégué entry's chefLieu. */
function legalSuccessors(code: string, next: ReturnType<typeof snapshot>): Set<string> {
  const out = new Set<string>();
  const same = next.byCode.get(code);
  if (same) out.add(next.keyOf(same));
  for (const d of next.chefLieu) if (d.code === code && next.byCode.has(d.chefLieu)) out.add(next.keyOf(next.byCode.get(d.chefLieu)!));
  return out;
}

describe("replay of the real COG history 2022 → 2026 on one ledger", () => {
  let dir: string;
  let years: Year[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "domaines-replay-"));
    years = replay(dir);
    // The per-year summary the closing note quotes (also: node bench/ledger-replay.mjs).
    console.table(summaryRows(years));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("validates after every year, with every current commune holding exactly one allocated label", () => {
    for (const y of years) {
      expect(y.validate.problems, `${y.year}`).toEqual([]);
      const data = snapshot(y.file);
      const allocated = y.entries.filter((e) => e.state === "allocated");
      expect(new Set(allocated.map((e) => e.key)).size).toBe(allocated.length);
      expect(new Set(allocated.map((e) => e.key))).toEqual(new Set(data.byKey.keys()));
    }
  });

  it("never loses a label, never revives a tombstone, and passes a label only to its holder's legal successor", () => {
    for (let i = 1; i < years.length; i++) {
      const [prev, next] = [years[i - 1]!, years[i]!];
      const prevData = snapshot(prev.file);
      const nextData = snapshot(next.file);
      const after = new Map(next.entries.map((e) => [e.label, e]));
      let moved = 0;
      for (const before of prev.entries) {
        const now = after.get(before.label);
        expect(now, `${next.year}: ${before.label} disappeared`).toBeDefined();
        if (before.state === "tombstone") expect(now!.state).toBe("tombstone");
        if (before.key !== now!.key) {
          moved++;
          // Only an allocated label may move, to a successor the data names.
          expect(before.state).toBe("allocated");
          const code = prevData.byKey.get(before.key!)!.code;
          expect([...legalSuccessors(code, nextData)], `${next.year}: ${before.label}`).toContain(now!.key);
          expect(now!.inheritedFrom).toBe(before.key);
        }
      }
      expect(moved).toBe(next.sync!.summary.inherited);
    }
  });

  it("makes every commune that disappeared an alias of (or the label of) its successor, or a tombstone when the data names none", () => {
    let gone = 0;
    const became = { tombstone: 0, alias: 0, inherited: 0 };
    for (let i = 1; i < years.length; i++) {
      const [prev, next] = [years[i - 1]!, years[i]!];
      const prevData = snapshot(prev.file);
      const nextData = snapshot(next.file);
      const after = new Map(next.entries.map((e) => [e.label, e]));
      for (const before of prev.entries) {
        if (before.state !== "allocated" || nextData.byKey.has(before.key!)) continue;
        gone++;
        const successors = legalSuccessors(prevData.byKey.get(before.key!)!.code, nextData);
        const now = after.get(before.label)!;
        if (successors.size === 0) {
          expect(now.state, `${next.year}: ${before.label}`).toBe("tombstone");
          became.tombstone++;
        } else if (now.state === "alias") {
          expect([...successors]).toContain(now.aliasOf);
          became.alias++;
        } else {
          expect(now.state).toBe("allocated");
          expect([...successors]).toContain(now.key);
          became.inherited++;
        }
      }
    }
    // Measured on the snapshots (the spec counts 152 SIRENs of COG 2022 gone by 2026).
    expect(gone).toBe(152);
    // 152 = 17 labels inherited by a successor + 125 aliases + 10 tombstones (the README's figures), and cog-sync's own summaries say the same.
    expect(became).toEqual({ inherited: 17, alias: 125, tombstone: 10 });
    const summed = (k: string) => years.reduce((n, y) => n + (y.sync?.summary[k] ?? 0), 0);
    expect({ inherited: summed("inherited"), alias: summed("aliases"), tombstone: summed("tombstones") }).toEqual(became);
  });

  it("gives every new homonym of an allocated bare label a suffix, the holder keeping it (grandfathered)", () => {
    let seen = 0;
    for (let i = 1; i < years.length; i++) {
      const [prev, next] = [years[i - 1]!, years[i]!];
      const prevData = snapshot(prev.file);
      const nextData = snapshot(next.file);
      for (const holder of prev.entries) {
        if (holder.state !== "allocated") continue;
        if ((prevData.slugCount.get(holder.label) ?? 0) !== 1 || (nextData.slugCount.get(holder.label) ?? 0) < 2) continue;
        const stillThere = nextData.byKey.get(holder.key!);
        if (!stillThere || slugify(stillThere.nom) !== holder.label) continue;
        seen++;
        const nowHolder = next.entries.find((e) => e.label === holder.label)!;
        expect(nowHolder).toMatchObject({ state: "allocated", key: holder.key, grandfathered: true });
        const newcomers = [...nextData.byKey.values()].filter((r) => slugify(r.nom) === holder.label && nextData.keyOf(r) !== holder.key);
        for (const n of newcomers) {
          const label = next.entries.find((e) => e.state === "allocated" && e.key === nextData.keyOf(n))!.label;
          expect(label).toMatch(new RegExp(`^${holder.label}-${n.departement!.toLowerCase()}(-[0-9ab]{5})?$`));
        }
      }
    }
    expect(seen).toBe(2); // 2024 sainte-florence, 2025 sainte-anastasie
  });
});

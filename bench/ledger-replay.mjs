/**
 * Replays the real COG history on a fresh ledger, as an operator would with the CLI:
 * `allocate --all` on COG 2022 (the first snapshot with SIREN), then each year
 * `cog-sync --apply` and `allocate --all` (communes new that year), then `validate`.
 * Prints a per-year summary. Used by test/ledger/replay.test.ts, which checks the
 * invariants on the snapshots it returns.
 *
 *   node bench/ledger-replay.mjs [--keep DIR]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli/main.js");
const require = createRequire(join(ROOT, "package.json"));

export const SNAPSHOTS = [
  { year: 2022, pkg: "cog2022" },
  { year: 2023, pkg: "cog2023" },
  { year: 2024, pkg: "cog2024" },
  { year: 2025, pkg: "cog2025" },
  { year: 2026, pkg: "@etalab/decoupage-administratif" },
];

export function communesFile(pkg) {
  return require.resolve(`${pkg}/data/communes.json`);
}

function cli(args, dir) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args, "--ledger", dir, "--json", "--actor", "replay"], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`domaines ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { json: JSON.parse(r.stdout), ms: performance.now() - t };
}

function readEntries(dir) {
  return readFileSync(join(dir, "ledger.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** Runs the replay in `dir` (an empty directory); returns one snapshot per year. */
export function replay(dir) {
  const years = [];
  for (const [i, s] of SNAPSHOTS.entries()) {
    const file = communesFile(s.pkg);
    const sync = i === 0 ? null : cli(["cog-sync", "--apply", "--communes", file], dir);
    const alloc = cli(["allocate", "--all", "--communes", file], dir);
    const validate = cli(["validate"], dir);
    years.push({
      ...s,
      file,
      sync: sync?.json ?? null,
      newlyAllocated: alloc.json.communes.filter((c) => c.status === "allocated"),
      validate: validate.json,
      entries: readEntries(dir),
      ms: { sync: sync?.ms ?? 0, allocate: alloc.ms, validate: validate.ms },
    });
  }
  return years;
}

export function summaryRows(years) {
  return years.map((y) => {
    const s = y.sync?.summary ?? {};
    return {
      year: y.year,
      goneKeys: (s.mergers ?? 0) + (s.tombstones ?? 0),
      inherited: s.inherited ?? 0,
      aliases: s.aliases ?? 0,
      viaSameInsee: s.viaSameInsee ?? 0,
      viaChefLieu: s.viaChefLieu ?? 0,
      tombstones: s.tombstones ?? 0,
      successorsAllocated: s.successorsAllocated ?? 0,
      newCommunesAllocated: y.newlyAllocated.length,
      renames: s.renames ?? 0,
      renameReservations: s.renameReservations ?? 0,
      inseeChanges: s.inseeChanges ?? 0,
      newHomonyms: (y.sync?.newHomonyms ?? []).map((h) => h.label).join(" ") || "-",
      ...y.validate.counts,
      validateOk: y.validate.ok,
      syncMs: Math.round(y.ms.sync),
      allocateMs: Math.round(y.ms.allocate),
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const keep = process.argv.indexOf("--keep");
  const dir = keep > 0 ? process.argv[keep + 1] : mkdtempSync(join(tmpdir(), "domaines-replay-"));
  const years = replay(dir);
  console.table(summaryRows(years));
  const rows = summaryRows(years);
  const total = (k) => rows.reduce((n, r) => n + (typeof r[k] === "number" ? r[k] : 0), 0);
  console.log(`2022→2026: ${total("goneKeys")} keys gone (${total("inherited")} inherited by a successor with the same computed label, ${total("aliases")} aliases, ${total("tombstones")} tombstones); ${total("successorsAllocated")} successors and ${total("newCommunesAllocated") - rows[0].newCommunesAllocated} other new communes allocated.`);
  if (keep < 0) rmSync(dir, { recursive: true, force: true });
}

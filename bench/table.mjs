// Issue 16: every row of the performance table in one run, each against the baseline of
// its own bench measured in the same run (whole processes, interleaved; these machines are
// noisy, so only ratios within one run mean anything). Then how zone export and plan grow
// from Lozère's size to 10,000 communes to all of France.
//   npm run build && node bench/table.mjs [--runs N] [--no-france]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./support/harness.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, "no-france": { type: "boolean", default: false } } });
const runs = values.runs;
const dir = mkdtempSync(join(tmpdir(), "domaines-bench-table-"));
const summary = join(dir, "rows.jsonl");

function bench(script, args) {
  process.stderr.write(`bench: node bench/${script} ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [`bench/${script}`, ...args], { cwd: ROOT, env: { ...process.env, BENCH_SUMMARY: summary }, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`bench/${script} failed (${r.status})`);
}

try {
  bench("naming.mjs", [runs]);
  bench("ledger.mjs", [runs]);
  bench("ledger-writes.mjs", [runs]);
  bench("records.mjs", [runs, "152"]);
  bench("records.mjs", [runs, "10000"]);
  if (!values["no-france"]) bench("records.mjs", [runs, "34963"]);
  bench("services.mjs", [runs]);
  bench("pulumi.mjs", ["--runs", runs, "--shards", "48,62"]);

  const rows = readFileSync(summary, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const find = (title, name) => {
    const row = rows.find((r) => r.title.startsWith(title) && (r.case === name || r.shard === name));
    if (!row) throw new Error(`no row "${name}" in "${title}"`);
    return row;
  };
  const ratio = (title, name, extra = "") => {
    const r = find(title, name);
    return `${r.ratio.toFixed(2)}× (${(r.median_ms / 1000).toFixed(2)} s, ${r.peak_rss_mib} MiB)${extra}`;
  };
  const pulumi = (shard) => {
    const r = find("Pulumi", shard);
    return `${r["wall ratio"].toFixed(2)}× wall, ${r["cpu ratio"].toFixed(2)}× CPU, ${r["rss ratio"].toFixed(2)}× RSS`;
  };
  const perWrite = (store = "") => {
    const r = rows.find((x) => x.title.startsWith("Ledger writes") && x.case === `${store}writes into a ledger of all France (36,445 labels)`);
    const b = rows.find((x) => x.title.startsWith("Ledger writes") && x.case === (store ? `${store}writes into a ledger of 1 commune` : "baseline: writes into a ledger of 1 commune"));
    if (!r || !b) return "not measured (no PostgreSQL here: bench/ledger-writes.mjs said why)";
    return `${r.per_write_ratio.toFixed(2)}× (${r.per_write_ms} ms vs ${b.per_write_ms} ms a write)`;
  };
  const table = [
    ["`names --json`, all of France, vs node loading the commune JSON", "2.11×", ratio("Naming", "domaines names --json (all, to stdout)"), "≤ 1.5×"],
    ["`allocate --all` into an empty ledger (same baseline)", "8.3× (2.3 s, 286 MiB)", ratio("Ledger", "allocate --all into an empty ledger"), "≤ 3×"],
    ["`validate` of the full ledger (same baseline)", "7.6×", ratio("Ledger", "validate (full ledger + audit replay)"), "≤ 3×"],
    ["`export --format zone`, 10,000 enrolled communes, vs knotd loading that zone", "4.98× (1.45 s, 205 MiB)", ratio("Records: 10000 ", "domaines export --format zone (whole process)"), "≤ 2×"],
    ["`quotas --json`, all of France enrolled, vs `names --departement 48`", "5.7×, 558 MiB", ratio("Services", "domaines quotas --json (all France)"), "≤ 3×"],
    ["one onboarding written into all of France vs into a ledger of one commune (per write, in one process)", "37× (104 ms vs 2.8 ms, measured 2026-12-02 before src/ledger/incremental.ts)", perWrite(), "≈ 1×"],
    ["the same on PostgreSQL (each against a one-commune database)", "10.6× (49.5 ms vs 4.7 ms, measured 2026-12-03 before the incremental check there)", perWrite("postgres: "), "≈ 1×"],
    ["Pulumi shard dep-48 under mocks vs bare ZoneRecords", "1.21×", pulumi("dep-48"), "≤ 1.1×"],
    ["Pulumi shard dep-62 under mocks vs bare ZoneRecords", "1.23×", pulumi("dep-62"), "≤ 1.1×"],
  ];
  console.log(`\nIssue 16's table, one run (${runs} runs of each case, interleaved with its baseline):\n`);
  console.log("| work | before (issue) | now | goal |\n|---|---|---|---|");
  for (const r of table) console.log(`| ${r.join(" | ")} |`);

  console.log("\nGrowth of zone export and plan (whole process, median, peak RSS):\n");
  console.log("| communes enrolled | records | knotd load | export --format zone | plan --json |\n|---|---|---|---|---|");
  for (const r of rows.filter((x) => x.title.startsWith("Records:") && x.case.startsWith("baseline"))) {
    const same = rows.filter((x) => x.title === r.title);
    const cell = (prefix) => {
      const c = same.find((x) => x.case.startsWith(prefix));
      return `${(c.median_ms / 1000).toFixed(2)} s, ${c.peak_rss_mib} MiB (${c.ratio.toFixed(2)}×)`;
    };
    console.log(`| ${r.communes.toLocaleString("en")} | ${r.records.toLocaleString("en")} | ${(r.median_ms / 1000).toFixed(2)} s, ${r.peak_rss_mib} MiB | ${cell("domaines export")} | ${cell("domaines plan")} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

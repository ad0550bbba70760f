// Issue 16: what one write costs as the ledger grows. One process makes N onboardings and
// offboardings through a store (as `domaines serve` does), into a ledger holding one commune
// (the baseline) and into one holding all of France, interleaved: on the file store, and on
// PostgreSQL (a throw-away local cluster, as the tests start; skipped, and said so, where
// Debian's postgresql is not installed). Reports the whole process and the in-process time
// per write. Run after `npm run build`:
//   node bench/ledger-writes.mjs [runs] [writes]
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresBinDir, startCluster } from "../test/support/pg-cluster.mjs";
import { runNode, summarise } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 3);
const writes = process.argv[3] ?? "50";
const root = mkdtempSync(join(tmpdir(), "domaines-bench-writes-"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let cluster = null;
try {
  const one = join(root, "one");
  const france = join(root, "france");
  mkdirSync(one);
  mkdirSync(france);
  runNode(["dist/src/cli/main.js", "allocate", "Mende", "--ledger", one, "--actor", "bench"]);
  runNode(["dist/src/cli/main.js", "allocate", "--all", "--ledger", france, "--actor", "bench"]);
  const cases = [
    { name: "baseline: writes into a ledger of 1 commune", dir: one },
    { name: "writes into a ledger of all France (36,445 labels)", dir: france },
  ];
  let hasPostgres = true;
  try {
    postgresBinDir();
  } catch (err) {
    hasPostgres = false;
    console.log(`\nLedger writes on PostgreSQL: not measured, ${err.message}`);
  }
  if (hasPostgres) {
    cluster = await startCluster("domaines-bench-writes-pg-");
    const copied = (from) => {
      const url = cluster.url(cluster.createDatabase());
      runNode(["dist/src/cli/main.js", "ledger", "migrate-schema", "--ledger", url]);
      runNode(["dist/src/cli/main.js", "ledger", "copy", "--from", from, "--to", url, "--actor", "bench"]);
      return url;
    };
    cases.push(
      { name: "postgres: writes into a ledger of 1 commune", dir: copied(one) },
      { name: "postgres: writes into a ledger of all France (36,445 labels)", dir: copied(france) },
    );
  }
  const out = cases.map(() => ({ ms: [], per: [], rss: [] }));
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, j) => {
      const r = runNode(["bench/support/ledger-writes-run.mjs", c.dir, writes]);
      out[j].ms.push(r.ms);
      out[j].per.push(JSON.parse(r.stdout.trim()).perWriteMs);
      out[j].rss.push(r.rssMiB);
    });
  }
  // Each store against its own one-commune ledger (cases come in pairs: one commune, France).
  const rows = cases.map((c, j) => {
    const base = j - (j % 2);
    return {
      case: c.name,
      median_ms: Math.round(median(out[j].ms)),
      ratio: Number((median(out[j].ms) / median(out[base].ms)).toFixed(2)),
      per_write_ms: Number(median(out[j].per).toFixed(1)),
      per_write_ratio: Number((median(out[j].per) / median(out[base].per)).toFixed(2)),
      peak_rss_mib: Math.round(Math.max(...out[j].rss)),
    };
  });
  const title = `Ledger writes: ${writes} onboardings/offboardings in one process`;
  console.log(`\n${title} (${runs} runs each, interleaved; ratio = median / median of the same store's one-commune ledger)`);
  console.table(rows);
  summarise(title, cases[0].name, rows);
} finally {
  cluster?.stop();
  rmSync(root, { recursive: true, force: true });
}

// Issue 3 benchmark: allocate every commune into an empty ledger, and `check` against the
// full ledger, as whole processes, against a Node process that only loads the bundled
// commune JSON (same baseline as bench/naming.mjs). Then 1,000 check queries in one
// process through the library. Run after `npm run build`:
//   node bench/ledger.mjs [runs]
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare, runNode } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 5);
const BASELINE = "JSON.parse(require('fs').readFileSync(require.resolve('@etalab/decoupage-administratif/data/communes.json'),'utf8'))";
const root = mkdtempSync(join(tmpdir(), "domaines-bench-ledger-"));
const empty = join(root, "empty");
const full = join(root, "full");
mkdirSync(full);
runNode(["dist/src/cli/main.js", "allocate", "--all", "--ledger", full]);
const fresh = () => {
  rmSync(empty, { recursive: true, force: true });
  mkdirSync(empty);
};
const cli = (...args) => ["dist/src/cli/main.js", ...args];

try {
  const rows = compare(
    "Ledger: whole processes",
    [
      { name: "baseline: node loading communes.json", args: ["-e", BASELINE], baseline: true },
      { name: "allocate --all into an empty ledger", args: cli("allocate", "--all", "--ledger", empty), setup: fresh },
      { name: "check mende (full ledger)", args: cli("check", "mende", "--ledger", full) },
      { name: "check saint-denis-93.collectivite.fr --json", args: cli("check", "saint-denis-93.collectivite.fr", "--json", "--ledger", full) },
      { name: "check 214800955 (SIREN)", args: cli("check", "214800955", "--ledger", full) },
      { name: "check libre-xyz (free label, exit 1)", args: cli("check", "libre-xyz", "--ledger", full), options: { env: { BENCH_ALLOW_EXIT: "1" } } },
      { name: "validate (full ledger + audit replay)", args: cli("validate", "--ledger", full) },
    ],
    { runs },
  );
  // Once, not interleaved: it is long, and reports its own per-query time.
  const batch = runNode(["bench/ledger-check-batch.mjs", full, "1000"]);
  console.log(`1,000 check queries in one process (library): ${batch.stdout.trim()}, whole process ${Math.round(batch.ms)} ms, peak RSS ${Math.round(batch.rssMiB)} MiB`);
  // The same 1,000 queries through the CLI's batch mode, as a script would send them.
  const input = runNode(["bench/ledger-check-batch.mjs", full, "1000", "--queries"]).stdout;
  const stdin = runNode(cli("check", "--stdin", "--json", "--ledger", full), { input, env: { BENCH_ALLOW_EXIT: "1" } });
  const answers = stdin.stdout.trim().split("\n").length;
  console.log(`domaines check --stdin --json, 1,000 queries: ${answers} answers, whole process ${Math.round(stdin.ms)} ms (${(stdin.ms / 1000).toFixed(2)} ms a query), ${(stdin.ms / rows[0].median_ms).toFixed(2)}× the baseline, peak RSS ${Math.round(stdin.rssMiB)} MiB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

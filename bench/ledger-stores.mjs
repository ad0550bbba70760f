// Issue 13 benchmark: the same ledger commands on the file store and on PostgreSQL (a
// throw-away local cluster, test/support/pg-cluster.mjs), as whole processes, in one
// interleaved run, against the bench/ledger.mjs baseline (a Node process loading the bundled
// commune JSON). Reports each store's ratio and the PostgreSQL / file ratio per command.
// Run after `npm run build` (needs Debian's postgresql, as the tests do):
//   node bench/ledger-stores.mjs [runs]
//
// A store is an entry of STORES (how to make an empty and a full ledger); a command is an
// entry of COMMANDS (its arguments given a ledger location). Then the API's onboarding
// throughput on each store: `domaines serve` on a freshly allocated ledger, 4 clients
// onboarding API_ONBOARDINGS communes (bench/support/api-onboard-run.mjs), interleaved.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster } from "../test/support/pg-cluster.mjs";
import { compare, runNode } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 5);
const BASELINE = "JSON.parse(require('fs').readFileSync(require.resolve('@etalab/decoupage-administratif/data/communes.json'),'utf8'))";
const cli = (...args) => ["dist/src/cli/main.js", ...args];
const root = mkdtempSync(join(tmpdir(), "domaines-bench-stores-"));
const cluster = await startCluster("domaines-bench-pg-");

/** A new, migrated database's URL. */
function database() {
  const url = cluster.url(cluster.createDatabase());
  runNode(cli("ledger", "migrate-schema", "--ledger", url));
  return url;
}

let dirs = 0;
const STORES = [
  {
    name: "file",
    empty: () => {
      const dir = join(root, `empty-${++dirs}`);
      mkdirSync(dir);
      return dir;
    },
  },
  { name: "postgres", empty: database },
];
for (const store of STORES) {
  store.full = store.empty();
  runNode(cli("allocate", "--all", "--ledger", store.full));
}

const COMMANDS = [
  // A new empty ledger before each run (setup, not timed).
  { name: "allocate --all into an empty ledger", args: (s) => cli("allocate", "--all", "--ledger", s.fresh), setup: (s) => (s.fresh = s.empty()) },
  { name: "check mende", args: (s) => cli("check", "mende", "--ledger", s.full) },
  { name: "check 214800955 --json", args: (s) => cli("check", "214800955", "--json", "--ledger", s.full) },
  // Idempotent on a full ledger: the whole read, plan and invariants, nothing written.
  { name: "allocate Mende (existing)", args: (s) => cli("allocate", "Mende", "--ledger", s.full) },
  { name: "validate (full ledger + audit replay)", args: (s) => cli("validate", "--ledger", s.full) },
];

try {
  const cases = [{ name: "baseline: node loading communes.json", args: ["-e", BASELINE], baseline: true }];
  for (const command of COMMANDS) {
    for (const store of STORES) {
      // compare() runs setup, then reads args: a getter sees the fresh ledger setup made.
      cases.push({ name: `${command.name} [${store.name}]`, setup: () => command.setup?.(store), get args() { return command.args(store); } });
    }
  }
  const rows = compare("Ledger stores: whole processes", cases, { runs });
  const ms = new Map(rows.map((r) => [r.case, r.median_ms]));
  console.log("\nPostgreSQL / file, per command (median wall time):");
  for (const command of COMMANDS) {
    const file = ms.get(`${command.name} [file]`);
    const pg = ms.get(`${command.name} [postgres]`);
    console.log(`  ${command.name.padEnd(40)} file ${String(file).padStart(6)} ms   postgres ${String(pg).padStart(6)} ms   ratio ${(pg / file).toFixed(2)}`);
  }

  // The API's onboarding throughput: one structure covering API_ONBOARDINGS communes of all départements.
  const API_ONBOARDINGS = 400;
  const { loadCommunes } = await import("../dist/src/communes/load.js");
  const members = loadCommunes().communes.filter((c) => c.siren !== null).filter((_, i) => i % 80 === 0).slice(0, API_ONBOARDINGS).map((c) => c.key);
  const operators = join(root, "operators.json");
  writeFileSync(operators, JSON.stringify({
    espaceOperateur: { url: "https://espace-operateur.example.invalid/api/v1.0/", serviceIds: { messages: 2, fichiers: 12 }, retries: 0, timeoutMs: 5000 },
    messages: { url: "https://messages.example.invalid/api/v1.0/" },
    operators: [{ name: "bench", title: "Bench", siren: null, espaceOperateurId: "eo-bench", members }],
  }));
  const throughput = new Map(STORES.map((s) => [s.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const store of STORES) {
      const fresh = store.empty();
      runNode(cli("allocate", "--all", "--ledger", fresh));
      const r = runNode(["bench/support/api-onboard-run.mjs", fresh, operators, String(API_ONBOARDINGS)]);
      throughput.get(store.name).push(JSON.parse(r.stdout.trim().split("\n").pop()).perSecond);
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const perSecond = Object.fromEntries([...throughput].map(([k, v]) => [k, med(v)]));
  console.log(`\nAPI onboardings (PUT …/services/messages, 4 clients, ${API_ONBOARDINGS} communes into a full ledger, ${runs} runs each, interleaved, median): file ${perSecond.file}/s, postgres ${perSecond.postgres}/s, postgres / file throughput ${(perSecond.postgres / perSecond.file).toFixed(2)}`);
} finally {
  cluster.stop();
  rmSync(root, { recursive: true, force: true });
}

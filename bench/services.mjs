// Issue 6 benchmark: the services commands at the scale of all of France — every current
// commune with a SIREN enrolled in Messages and Fichiers (≈70,000 subscriptions), one
// operator per département — against the cold start of `domaines names --departement 48`
// (same commune loading, tiny output). Run after `npm run build`:
//   node bench/services.mjs [runs]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCommunes } from "../dist/src/communes/load.js";
import { createLedger } from "../dist/src/ledger/store.js";
import { ledgerEntrySchema } from "../dist/src/ledger/schema.js";
import { compare } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), "domaines-bench-services-"));
const now = "2026-01-01T00:00:00.000Z";
const communes = loadCommunes().communes.filter((c) => c.siren);

const entries = communes.map((c, i) =>
  ledgerEntrySchema.parse({
    label: `c${i}-${c.insee.toLowerCase()}`,
    state: "allocated",
    key: c.key,
    name: c.name,
    departement: c.departement,
    allocatedAt: now,
    updatedAt: now,
    services: { messages: { enrolledAt: now, quotas: i % 10 === 0 ? { organization: "unlimited" } : {} }, fichiers: { enrolledAt: now, quotas: {} } },
  }),
);
mkdirSync(join(dir, "ledger"));
// As domaines writes a ledger (with its audit log and digest chain), so that it is read as users' ledgers are.
createLedger(join(dir, "ledger"), entries, { actor: "bench", command: "bench fixture" });

const byDep = new Map();
for (const c of communes) byDep.set(c.departement, [...(byDep.get(c.departement) ?? []), c]);
const operators = [...byDep].map(([dep, list]) => ({ name: `dep-${dep.toLowerCase()}`, title: `Structure ${dep}`, siren: null, espaceOperateurId: `op-${dep}`, members: list.map((c) => c.key) }));
writeFileSync(join(dir, "operators.json"), JSON.stringify({ espaceOperateur: { url: "https://eo.example/api/v1.0/", serviceIds: { messages: 2, fichiers: 12 } }, messages: { url: "https://messages.example/api/v1.0/" }, operators }));
const nord = byDep.get("59");
writeFileSync(
  join(dir, "usage.json"),
  JSON.stringify({ messages: { results: nord.map((c, i) => ({ account: { type: "organization" }, siret: `${c.siren}00017`, metrics: { storage_used: 1_000_000_007 * (i + 1) } })) } }),
);

const common = ["--ledger", join(dir, "ledger"), "--operators", join(dir, "operators.json")];
console.log(`${communes.length} communes enrolled in 2 services, ${operators.length} operators; Nord (59) has ${nord.length} members`);
try {
  compare(
    "Services: whole processes",
    [
      { name: "baseline: domaines names --departement 48", args: ["dist/src/cli/main.js", "names", "--departement", "48"], baseline: true },
      { name: "domaines quotas --json (all France)", args: ["dist/src/cli/main.js", "quotas", "--json", ...common] },
      { name: "domaines quotas --departement 48", args: ["dist/src/cli/main.js", "quotas", "--departement", "48", ...common] },
      { name: "domaines cost --operator dep-59 --usage", args: ["dist/src/cli/main.js", "cost", "--operator", "dep-59", "--year", "2026", "--usage", join(dir, "usage.json"), "--json", ...common] },
    ],
    { runs },
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

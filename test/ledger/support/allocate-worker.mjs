/**
 * A concurrent writer for the tests: allocates the communes whose keys are given, one
 * transaction each, through the library (as an onboarding script would), and prints one
 * JSON line per result. Usage: node allocate-worker.mjs LEDGER ACTOR KEY[,KEY…]
 * (LEDGER: a directory or a postgres:// URL, as --ledger takes).
 */
import { loadCommunes } from "../../../dist/src/communes/load.js";
import { planAllocation } from "../../../dist/src/ledger/allocation.js";
import { openLedgerStore } from "../../../dist/src/ledger/open.js";
import { computeLabels } from "../../../dist/src/naming/labels.js";
import { loadReservedLabels } from "../../../dist/src/naming/reserved.js";

const [location, actor, keyList] = process.argv.slice(2);
const store = openLedgerStore(location);
const { communes } = loadCommunes();
const reserved = loadReservedLabels();
// Computed once without `taken`: planAllocation re-checks every label against the ledger under the lock.
const labels = computeLabels(communes, { reserved });
const byKey = new Map(communes.map((c) => [c.key, c]));
for (const key of keyList.split(",")) {
  const commune = byKey.get(key);
  const { result } = await store.transact({ actor, command: `test allocate ${key}` }, (entries) => {
    const plan = planAllocation(entries, [commune], labels, reserved, new Date().toISOString());
    if (plan.failures.length) throw new Error(plan.failures[0].message);
    return { put: plan.put, result: plan.results[0] };
  });
  process.stdout.write(`${JSON.stringify({ key, label: result.label, status: result.status })}\n`);
}
await store.close();

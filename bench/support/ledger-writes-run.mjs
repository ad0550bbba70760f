// Child of bench/ledger-writes.mjs: N onboarding/offboarding writes through the file store in one
// process (as `domaines serve` makes them), printing {"perWriteMs": …}. Usage: node … LEDGER_DIR N
import { FileLedgerStore } from "../../dist/src/ledger/store.js";

const [dir, count] = process.argv.slice(2);
const n = Number(count);
const store = new FileLedgerStore(dir);
const label = (await store.read()).find((e) => e.state === "allocated" && e.key !== null).label;
const start = performance.now();
for (let i = 0; i < n; i++) {
  await store.transact({ actor: "bench", command: "bench onboarding" }, (entries) => {
    const e = entries.find((x) => x.label === label);
    const updatedAt = new Date(Date.parse(e.updatedAt) + 1000).toISOString();
    const services = Object.keys(e.services).length === 0 ? { messages: { enrolledAt: updatedAt, quotas: {} } } : {};
    return { put: [{ ...e, services, updatedAt }], result: null };
  });
}
process.stdout.write(`${JSON.stringify({ perWriteMs: (performance.now() - start) / n })}\n`);

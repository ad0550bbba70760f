// Child of bench/ledger-writes.mjs: N onboarding/offboarding writes through one store in one
// process (as `domaines serve` makes them), printing {"perWriteMs": …}.
// Usage: node … LEDGER N   (LEDGER: a directory, or a postgres:// URL)
import { openLedgerStore } from "../../dist/src/ledger/open.js";

const [location, count] = process.argv.slice(2);
const n = Number(count);
const store = openLedgerStore(location);
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
const perWriteMs = (performance.now() - start) / n;
await store.close();
process.stdout.write(`${JSON.stringify({ perWriteMs })}\n`);

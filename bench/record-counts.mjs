// Issue 16: the records a first publication creates, and its cost in OVH API calls (3 per
// created record), for each choice of `dns.allocatedWithoutService`, counted by the record
// model itself on the real COG: every commune allocated (what `allocate --all` gives), then
// every commune enrolled in Messages with its DKIM key known. Not a timing: the counts
// behind the README's duration table.
//   npm run build && node bench/record-counts.mjs
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { desiredZone, stackRecords, allRecords } from "../dist/src/records/model.js";
import { Workspace } from "../dist/src/workspace.js";
import { runNode } from "./support/harness.mjs";

const CALLS_PER_RECORD = 3;
const dir = mkdtempSync(join(tmpdir(), "domaines-bench-counts-"));
const hours = (calls, perSecond) => calls / perSecond / 3600;
const duration = (h) => (h < 1 ? `${Math.round(h * 60)} min` : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`);

try {
  const ledger = join(dir, "ledger");
  mkdirSync(ledger);
  runNode(["dist/src/cli/main.js", "allocate", "--all", "--ledger", ledger, "--actor", "bench"]);
  const ws = new Workspace({ ledger });
  const allocated = await ws.store().read();
  const config = ws.config();
  const now = new Date().toISOString();
  const key = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`;
  const enrolled = allocated.map((e) => (e.state === "allocated" ? { ...e, services: { messages: { enrolledAt: now, quotas: {} } } } : e));
  const dkim = Object.fromEntries(allocated.filter((e) => e.state === "allocated").map((e) => [`${e.label}.${config.zone}`, { selector: "stmessages", value: key, fetchedAt: now }]));
  const rows = [];
  for (const [scenario, entries, keys] of [["every commune allocated, none enrolled", allocated, {}], ["every commune enrolled in Messages, DKIM known", enrolled, dkim]]) {
    for (const option of ["explicit", "wildcard"]) {
      const desired = desiredZone(entries, { ...config, dns: { ...config.dns, allocatedWithoutService: option } }, keys);
      for (const [scope, records] of [["dep-48", stackRecords(desired, "48")], ["dep-62", stackRecords(desired, "62")], ["platform", stackRecords(desired, "platform")], ["all France", allRecords(desired)]]) {
        const calls = records.length * CALLS_PER_RECORD;
        rows.push({ scenario, allocatedWithoutService: option, scope, records: records.length, "API calls": calls, "at 5/s": duration(hours(calls, 5)), "at 60/min": duration(hours(calls, 1)) });
      }
    }
  }
  console.log(`Records of a first publication, by the record model on the bundled COG (${allocated.filter((e) => e.state === "allocated").length} communes allocated), ${CALLS_PER_RECORD} OVH API calls per created record`);
  console.table(rows);
  const france = (scenario, option) => rows.find((r) => r.scenario === scenario && r.allocatedWithoutService === option && r.scope === "all France");
  const a = france("every commune allocated, none enrolled", "explicit");
  const b = france("every commune allocated, none enrolled", "wildcard");
  console.log(`wildcard coverage saves ${(a.records - b.records).toLocaleString("en")} records and ${(a["API calls"] - b["API calls"]).toLocaleString("en")} API calls for France (${duration(hours(a["API calls"] - b["API calls"], 1))} at 60 a minute)`);
  await ws.close?.();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Issue 4 benchmark: the desired records and zone file of 10,000 enrolled communes
// (`domaines export --format zone`, a whole process reading ledger + DKIM store) against
// the time knotd takes to load that zone and serve it, in the same run. Target ≤ 1×.
// Run after `npm run build`:   node bench/records.mjs [runs] [communes]
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLedger } from "../dist/src/ledger/store.js";
import { runNode, summarise } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 5);
const count = Number(process.argv[3] ?? 10_000);
const ZONE = "collectivite.fr";
const dir = mkdtempSync(join(tmpdir(), "domaines-bench-records-"));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function synthetic() {
  const now = "2026-03-01T10:00:00.000Z";
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const entries = [];
  const dkim = {};
  for (let i = 0; i < count; i++) {
    const label = `commune-${String(i).padStart(5, "0")}`;
    entries.push({
      label, state: "allocated", key: String(200000000 + i), name: `Commune ${i}`, departement: String(1 + (i % 95)).padStart(2, "0"),
      inseeHistory: [], allocatedAt: now, updatedAt: now, legacy: false, grandfathered: false,
      services: { messages: { enrolledAt: now, quotas: {} }, fichiers: { enrolledAt: now, quotas: {} } },
    });
    dkim[`${label}.${ZONE}`] = { selector: "stmessages", value: `v=DKIM1; k=rsa; p=${key}`, fetchedAt: now };
  }
  mkdirSync(join(dir, "ledger"));
  // As domaines writes a ledger (with its audit log and digest chain), so that it is read as users' ledgers are.
  createLedger(join(dir, "ledger"), entries, { actor: "bench", command: "bench fixture" });
  writeFileSync(join(dir, "dkim.json"), JSON.stringify(dkim));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts knotd on the zone file, returns ms from spawn to the first answer with the zone's serial, and its peak RSS. */
async function knotLoad(zoneFile, serial) {
  const kdir = mkdtempSync(join(dir, "knot-"));
  for (const d of ["run", "db"]) mkdirSync(join(kdir, d));
  const port = await freePort();
  const conf = join(kdir, "knot.conf");
  writeFileSync(conf, [
    "server:", `    rundir: "${join(kdir, "run")}"`, `    listen: 127.0.0.1@${port}`,
    "log:", "  - target: stderr", "    any: error",
    "database:", `    storage: "${join(kdir, "db")}"`,
    "template:", "  - id: default", `    storage: "${dir}"`, "    zonefile-sync: -1", "    journal-content: none",
    "zone:", `  - domain: ${ZONE}`, `    file: "${zoneFile}"`, "",
  ].join("\n"));
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const start = process.hrtime.bigint();
  const child = spawn("knotd", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  let ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`knotd exited: ${err}`);
    try {
      if ((await resolver.resolveSoa(ZONE)).serial === serial) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        break;
      }
    } catch {
      // not serving yet
    }
    if (Number(process.hrtime.bigint() - start) / 1e6 > 120_000) throw new Error(`knotd did not load the zone in 120 s: ${err}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await done;
  rmSync(kdir, { recursive: true, force: true });
  return { ms, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

try {
  synthetic();
  const zoneFile = join(dir, "zone.txt");
  const args = ["dist/src/cli/main.js", "export", "--format", "zone", "--ledger", join(dir, "ledger"), "--dkim", join(dir, "dkim.json"), "--out", zoneFile];
  runNode(args); // warm the file cache, unmeasured
  const serial = Number(/\tSOA\t\S+ \S+ (\d+)/.exec(readFileSync(zoneFile, "utf8"))[1]);
  const ours = { ms: [], rss: [] };
  const plan = { ms: [], rss: [] };
  const planArgs = ["dist/src/cli/main.js", "plan", "--json", "--ledger", join(dir, "ledger"), "--dkim", join(dir, "dkim.json")];
  const knot = { ms: [], rss: [] };
  const stages = [];
  for (let i = 0; i < runs; i++) {
    const r = runNode(args);
    ours.ms.push(r.ms);
    ours.rss.push(r.rssMiB);
    const p = runNode(planArgs);
    plan.ms.push(p.ms);
    plan.rss.push(p.rssMiB);
    stages.push(JSON.parse(runNode(["bench/records-stages.mjs", join(dir, "ledger"), join(dir, "dkim.json")]).stdout));
    const k = await knotLoad(zoneFile, serial);
    knot.ms.push(k.ms);
    knot.rss.push(k.rssMiB);
  }
  const text = readFileSync(zoneFile, "utf8");
  const records = text.split("\n").filter((l) => /\tIN\t/.test(l)).length;
  const baseMs = median(knot.ms);
  console.log(`\nRecords: ${count} enrolled communes (Messages + Fichiers, DKIM known) → ${records} records, zone file ${(statSync(zoneFile).size / 1e6).toFixed(1)} MB`);
  console.log(`${runs} runs each, interleaved; ratio = median / median of knotd's load`);
  const rows = [
    { case: "baseline: knotd loads the zone and answers", median_ms: Math.round(baseMs), ratio: 1, peak_rss_mib: Math.round(Math.max(...knot.rss)), target: "" },
    { case: "domaines export --format zone (whole process)", median_ms: Math.round(median(ours.ms)), ratio: Number((median(ours.ms) / baseMs).toFixed(2)), peak_rss_mib: Math.round(Math.max(...ours.rss)), target: "≤ 2×" },
    { case: "domaines plan --json, every record new (whole process)", median_ms: Math.round(median(plan.ms)), ratio: Number((median(plan.ms) / baseMs).toFixed(2)), peak_rss_mib: Math.round(Math.max(...plan.rss)), target: "" },
  ];
  console.table(rows);
  summarise(`Records: ${count} enrolled communes, ${records} records`, "baseline: knotd loads the zone and answers", rows.map((r) => ({ ...r, communes: count, records })));
  const stage = (k) => Math.round(median(stages.map((s) => s[k])));
  const recordsAndZone = median(stages.map((s) => s.model + s.validate + s.render));
  console.log("In-process stages of the same job (median ms): read ledger %d, read DKIM store %d, model %d, validation %d, zone rendering %d", stage("readLedger"), stage("readDkim"), stage("model"), stage("validate"), stage("render"));
  console.log(`records + zone file alone (model + validation + rendering): ${Math.round(recordsAndZone)} ms = ${(recordsAndZone / baseMs).toFixed(2)}× knotd's load`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

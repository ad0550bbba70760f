/**
 * The Pulumi program under mocks on whole département shards, every commune enrolled in
 * Messages with its DKIM key: Lozère (48) and the largest shard, Pas-de-Calais (62).
 * Each case is its own node process (bench/pulumi-run.mjs), interleaved with a bare
 * program that creates the same ZoneRecords (same names and arguments, flat). Targets: program ≤ 1.2× bare;
 * largest shard < 30 s and < 2 GiB.
 *
 *   npm run build && node bench/pulumi.mjs [--runs N] [--shards 48,62]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCommunes } from "../dist/src/communes/load.js";
import { createLedger } from "../dist/src/ledger/store.js";
import { loadSources } from "../dist/infra/sources.js";
import { parseStackConfig } from "../dist/infra/config.js";
import { buildStackModel } from "../dist/infra/stack-model.js";
import { computeLabels } from "../dist/src/naming/labels.js";
import { loadReservedLabels } from "../dist/src/naming/reserved.js";
import { runNode, summarise } from "./support/harness.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, shards: { type: "string", default: "48,62" } } });
const runs = Number(values.runs);
const AT = "2026-01-15T10:00:00.000Z";
const ZONE = "collectivite.fr";

const { communes } = loadCommunes();
const labels = computeLabels(communes, { reserved: loadReservedLabels() });
const dkimValue = `v=DKIM1; k=rsa; p=${generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64")}`;

/** The stack config bench/pulumi-run.mjs sets (keep the two in step). */
function stackConfigFor(dir, shard) {
  return {
    "domaines:zone": ZONE,
    "domaines:shard": shard,
    "domaines:mailTechnicalDomain": "mail.suite-territoriale.anct.gouv.fr",
    "domaines:ledgerDir": dir,
    "domaines:dkimFile": `${dir}/dkim.json`,
    "domaines:subscriptions": "false",
  };
}

/** A ledger directory where every commune of the département is allocated and enrolled in Messages, with DKIM keys. */
async function shardInputs(departement) {
  const dir = mkdtempSync(join(tmpdir(), `bench-pulumi-${departement}-`));
  mkdirSync(dir, { recursive: true });
  const entries = [];
  const dkim = {};
  for (const c of communes.filter((x) => x.departement === departement)) {
    const label = labels.get(c.key)?.label;
    if (!label) continue;
    entries.push({ label, state: "allocated", key: c.key, name: c.name, departement, allocatedAt: AT, updatedAt: AT, services: { messages: { enrolledAt: AT, quotas: {} } } });
    dkim[`${label}.${ZONE}`] = { selector: "stmessages", value: dkimValue, fetchedAt: AT };
  }
  // As domaines writes a ledger (audit log and digest chain): the program reads it as it reads users' ledgers.
  createLedger(dir, entries, { actor: "bench", command: "bench fixture" });
  writeFileSync(join(dir, "dkim.json"), JSON.stringify(dkim));
  // The baseline's input: the ZoneRecords the program will declare, computed here, outside any measurement.
  const config = parseStackConfig(stackConfigFor(dir, departement), `dep-${departement.toLowerCase()}`, () => false);
  const model = buildStackModel(config, await loadSources(config), null);
  const records = model.plan.owners.flatMap((o) => o.records.map((r) => [r.resourceName, r.args]));
  writeFileSync(join(dir, "records.json"), JSON.stringify(records));
  return { dir, communes: entries.length, records: records.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs each case `runs` times, interleaved; medians of wall and CPU time, max of peak RSS. */
function measure(cases) {
  const out = cases.map(() => ({ wall: [], cpu: [], rss: [] }));
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, j) => {
      const r = runNode(c);
      out[j].wall.push(r.ms);
      out[j].cpu.push(JSON.parse(r.stdout.trim().split("\n").pop()).cpuMs);
      out[j].rss.push(r.rssMiB);
    });
  }
  return out.map((o) => ({ wallMs: median(o.wall), cpuMs: median(o.cpu), rssMiB: Math.max(...o.rss) }));
}

const rows = [];
for (const shard of values.shards.split(",")) {
  const { dir, communes: n, records: planned } = await shardInputs(shard);
  try {
    const programArgs = ["bench/pulumi-run.mjs", "program", dir, shard];
    const records = JSON.parse(runNode(programArgs).stdout.trim().split("\n").pop()).records; // also warms the file cache
    if (records !== planned) throw new Error(`the program declared ${records} ZoneRecords, the plan has ${planned}`);
    const [bare, program] = measure([["bench/pulumi-run.mjs", "bare", join(dir, "records.json")], programArgs]);
    const s = (x) => (x / 1000).toFixed(1);
    rows.push({
      shard: `dep-${shard.toLowerCase()}`,
      communes: n,
      zoneRecords: records,
      "bare wall s": s(bare.wallMs),
      "program wall s": s(program.wallMs),
      "wall ratio": Number((program.wallMs / bare.wallMs).toFixed(2)),
      "bare cpu s": s(bare.cpuMs),
      "program cpu s": s(program.cpuMs),
      "cpu ratio": Number((program.cpuMs / bare.cpuMs).toFixed(2)),
      "bare MiB": Math.round(bare.rssMiB),
      "program MiB": Math.round(program.rssMiB),
      "rss ratio": Number((program.rssMiB / bare.rssMiB).toFixed(2)),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nPulumi program under mocks vs a bare program with as many ZoneRecords (${runs} runs each, interleaved, medians; peak RSS = max)`);
console.log("targets: ratios ≤ 1.2; largest shard < 30 s wall and < 2048 MiB");
console.table(rows);
summarise("Pulumi program under mocks vs bare ZoneRecords", "bare program", rows);

/**
 * One measured process for bench/pulumi.mjs, under `pulumi.runtime.setMocks`:
 *   node bench/pulumi-run.mjs program <dir> <shard>   the real Pulumi program (dist/infra),
 *       reading the ledger and DKIM keys that bench/pulumi.mjs wrote in <dir>;
 *   node bench/pulumi-run.mjs bare <records.json>      the baseline: the very same ZoneRecords
 *       (names and arguments the program computed, read from a file), flat: no model,
 *       no components, no guard.
 * Prints {"records": n, "cpuMs": …} once every registration has reached the mock monitor
 * (CPU time as well as the parent's wall time: the machine is shared, CPU time is steadier).
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as ovh from "@ovhcloud/pulumi-ovh";

const [mode, arg, shard] = process.argv.slice(2);
const ZONE = "collectivite.fr";
let records = 0;

await pulumi.runtime.setMocks(
  {
    newResource(args) {
      if (args.type === "ovh:Domain/zoneRecord:ZoneRecord") records += 1;
      if (args.type === "pulumi:pulumi:StackReference") return { id: String(args.inputs.name), state: { name: args.inputs.name, outputs: {} } };
      return { id: `${args.name}_id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "domaines",
  mode === "program" ? (shard === "platform" ? "platform" : `dep-${shard.toLowerCase()}`) : "bare",
  false,
  "organization",
);

if (mode === "program") {
  // Same stack config as stackConfigFor() in bench/pulumi.mjs.
  pulumi.runtime.setAllConfig({
    "domaines:zone": ZONE,
    "domaines:shard": shard,
    "domaines:mailTechnicalDomain": "mail.suite-territoriale.anct.gouv.fr",
    "domaines:ledgerDir": arg,
    "domaines:dkimFile": `${arg}/dkim.json`,
    "domaines:subscriptions": "false", // DNS only: the baseline is ZoneRecords
  });
  const { runStack } = await import("../dist/infra/program.js");
  await runStack();
} else if (mode === "bare") {
  for (const [name, args] of JSON.parse(readFileSync(arg, "utf8"))) new ovh.domain.ZoneRecord(name, args);
} else {
  throw new Error(`usage: pulumi-run.mjs program <dir> <shard> | bare <records.json>`);
}
await pulumi.runtime.waitForRPCs();
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ records, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);

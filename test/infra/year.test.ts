import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli, type CliResult } from "../support/cli.js";
import { runExpectingFailure, runWithMocks, type MockRun } from "./support/mock-run.js";

/**
 * The proof of issue 9: a year of Lozère as a platform engineer lives it. The ledger is
 * driven by the real CLI on a temp ledger (allocate, onboard, DKIM keys arriving,
 * offboard, cog-sync with a merger and a rename from a modified COG snapshot, allocate
 * --switch); after each step the real Pulumi program runs under mocks, reading the same
 * files, with the previous run's outputs served through its StackReference as the engine
 * does. Every run passes its guard without allowDeletions; its ZoneRecords are exactly
 * `export --format zone --departement 48`; a second run on the same inputs changes
 * nothing. Then what must be refused is refused, naming the commune.
 */

const ZONE_RECORD = "ovh:Domain/zoneRecord:ZoneRecord";
const SUBSCRIPTION = "pulumi-nodejs:dynamic/domaines:EspaceOperateurSubscription";
const MENDE = "214800955";
const MARVEJOLS = "214800922";
const LANGOGNE = "214800807";
const SAINT_CHELY = "214801409"; // Saint-Chély-d'Apcher, INSEE 48140: merged into La Canourgue in the COG update
const LA_CANOURGUE = "214800344"; // INSEE 48034

let dir: string;
let ledger: string;
let dkimFile: string;
let year2: string | undefined;
let rsa: string;

function cli(args: string[]): CliResult {
  const r = runCli([...args, "--ledger", ledger, "--actor", "year-test", ...(year2 ? ["--communes", year2] : [])], { env: { DOMAINES_DKIM: dkimFile } });
  if (r.code !== 0) throw new Error(`domaines ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r;
}

/**
 * The stack config of dep-48 for this year. Only 3 or 4 of Lozère's 152 communes are
 * enrolled, so their MX are ~2–4% of the stack's records: the update threshold is set
 * to 2% here (the default, 5%, suits a département where most communes are enrolled).
 */
function stackConfig(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "domaines:zone": "collectivite.fr",
    "domaines:shard": "48",
    "domaines:mailTechnicalDomain": "mail.suite-territoriale.anct.gouv.fr",
    "domaines:ledgerDir": ledger,
    "domaines:dkimFile": dkimFile,
    "domaines:maxUpdateShare": "0.02",
    ...extra,
  };
}

let previous: Record<string, unknown> | undefined;
const runs: MockRun[] = [];

async function run(extra: Record<string, string> = {}): Promise<MockRun> {
  return runWithMocks({ stack: "dep-48", config: stackConfig(extra), ...(previous ? { previousOutputs: previous } : {}) });
}

/** `name ttl TYPE rdata` of every record of the communes' sections of the zone file (no SOA/NS, no zone level). */
function exportedRecords(): string[] {
  const text = cli(["export", "--format", "zone", "--departement", "48"]).stdout;
  const out: string[] = [];
  for (const section of text.split("\n\n").slice(1)) {
    const lines = section.split("\n").filter((l) => l !== "");
    if (lines[0] === "; zone level") continue;
    for (const l of lines.slice(1)) {
      const [name, ttl, , type, ...rdata] = l.split("\t");
      out.push(`${name} ${ttl} ${type} ${rdata.join("\t")}`);
    }
  }
  return out.sort();
}

function zoneRecordsOf(r: MockRun): string[] {
  return [...r.resources.values()].filter((x) => x.type === ZONE_RECORD).map((x) => `${x.inputs.subdomain} ${x.inputs.ttl} ${x.inputs.fieldtype} ${x.inputs.target}`).sort();
}

const inputs = (r: MockRun) => Object.fromEntries([...r.resources.entries()].map(([u, x]) => [u, x.inputs]));

/** One step of the year: the program runs, passes, equals the zone file; a second run on the same inputs has no change. */
async function applyAndCheck(): Promise<MockRun> {
  const r = await run();
  expect(String(r.outputs.deletionGuard)).not.toMatch(/OVERRIDDEN|refusing/);
  expect(zoneRecordsOf(r)).toEqual(exportedRecords());
  expect(zoneRecordsOf(r)).toHaveLength(r.outputs.recordTotal as number);
  previous = r.outputs;
  const again = await run();
  expect(again.outputs).toMatchObject({ added: [], changed: [], removed: [], changes: { creates: 0, updates: 0, deletes: 0, subscriptionCreates: 0, subscriptionDeletes: 0 } });
  expect(again.outputs.deletionGuard).toBe("deletion guard: nothing would be deleted");
  expect(inputs(again)).toEqual(inputs(r));
  previous = again.outputs;
  runs.push(r);
  return r;
}

function subscriptionsOf(r: MockRun): string[] {
  return [...r.resources.values()].filter((x) => x.type === SUBSCRIPTION).map((x) => `${x.inputs.siren} ${x.inputs.service} ${(x.inputs.domains as string[]).join(",")}`).sort();
}

function writeDkim(keys: Record<string, string>): void {
  const store = Object.fromEntries(Object.entries(keys).map(([fqdn, selector]) => [fqdn, { selector, value: `v=DKIM1; k=rsa; p=${rsa}`, fetchedAt: "2026-04-01T08:00:00.000Z" }]));
  writeFileSync(dkimFile, `${JSON.stringify(store, null, 2)}\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "domaines-year-"));
  ledger = join(dir, "ledger");
  mkdirSync(ledger);
  dkimFile = join(dir, "dkim.json");
  rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a year of Lozère under the guard", () => {
  test("allocate all, onboard three, run", async () => {
    expect(JSON.parse(cli(["allocate", "--departement", "48", "--json"]).stdout).allocated).toBe(152);
    cli(["onboard", MENDE, "--services", "messages,fichiers"]);
    cli(["onboard", MARVEJOLS, "--services", "messages"]);
    cli(["onboard", LANGOGNE, "--services", "messages"]);
    const r = await applyAndCheck();
    expect(r.outputs.owners).toBe(152);
    // 149 communes with the no-mail pair; three with 8 records each (DKIM pending for all).
    expect(r.outputs.recordTotal).toBe(149 * 2 + 3 * 8);
    expect(r.outputs.dkimPending).toEqual(["langogne", "marvejols", "mende"]);
    expect(subscriptionsOf(r)).toEqual([`${LANGOGNE} messages langogne.collectivite.fr`, `${MARVEJOLS} messages marvejols.collectivite.fr`, `${MENDE} fichiers mende.collectivite.fr`, `${MENDE} messages mende.collectivite.fr`]);
  });

  test("onboard a fourth that already held its label: its no-mail pair is replaced, the guard passes", async () => {
    cli(["onboard", SAINT_CHELY, "--services", "messages"]);
    const r = await applyAndCheck();
    expect(r.outputs).toMatchObject({ added: [], changed: ["saint-chely-d-apcher"], removed: [], changes: { creates: 8, updates: 0, deletes: 2, subscriptionCreates: 1 } });
    expect(String(r.outputs.deletionGuard)).toContain(`saint-chely-d-apcher (${SAINT_CHELY}): null-mx.MX, spf-none.TXT [enrolled in messages: its mail records replace the no-mail ones]`);
  });

  test("DKIM keys arrive", async () => {
    writeDkim({ "mende.collectivite.fr": "stmessages", "marvejols.collectivite.fr": "stmessages", "langogne.collectivite.fr": "stmessages", "saint-chely-d-apcher.collectivite.fr": "stmessages" });
    const r = await applyAndCheck();
    expect(r.outputs).toMatchObject({ changed: ["langogne", "marvejols", "mende", "saint-chely-d-apcher"], dkimPending: [], changes: { creates: 4, updates: 0, deletes: 0 } });
  });

  test("offboard one", async () => {
    cli(["offboard", LANGOGNE]);
    const r = await applyAndCheck();
    expect(r.outputs).toMatchObject({ changed: ["langogne"], changes: { creates: 2, deletes: 9, subscriptionDeletes: 1 } });
    expect(String(r.outputs.deletionGuard)).toContain(`langogne (${LANGOGNE}) messages [offboarded from messages]`);
  });

  test("cog-sync with a merger and a rename", async () => {
    const require = createRequire(import.meta.url);
    const cog = JSON.parse(readFileSync(require.resolve("@etalab/decoupage-administratif/data/communes.json"), "utf8")) as Record<string, unknown>[];
    const next = cog.flatMap((c) => {
      if (c.type !== "commune-actuelle") return [c];
      if (c.siren === SAINT_CHELY) return [{ ...c, type: "commune-deleguee", chefLieu: "48034", siren: undefined }];
      if (c.siren === MENDE) return [{ ...c, nom: "Mende-en-Gévaudan" }];
      return [c];
    });
    year2 = join(dir, "communes-2027.json");
    writeFileSync(year2, JSON.stringify(next));
    const report = JSON.parse(cli(["cog-sync", "--apply", "--json"]).stdout);
    expect(report.summary).toMatchObject({ renames: 1, renameReservations: 1, mergers: 1, aliases: 1, tombstones: 0, problems: 0 });
    const r = await applyAndCheck();
    expect(r.outputs).toMatchObject({ added: ["mende-en-gevaudan", "saint-chely-d-apcher"], changed: ["la-canourgue"], removed: ["saint-chely-d-apcher"] });
    const guard = String(r.outputs.deletionGuard);
    expect(guard).toContain(`saint-chely-d-apcher (${SAINT_CHELY}): all records [now an alias of ${LA_CANOURGUE} (merged)]`);
    expect(guard).toContain(`la-canourgue (${LA_CANOURGUE}): null-mx.MX, spf-none.TXT [enrolled in messages: its mail records replace the no-mail ones]`);
    expect(guard).toContain(`saint-chely-d-apcher (${SAINT_CHELY}) messages [merged: its label is now an alias of ${LA_CANOURGUE}, whose own subscription carries the service]`);
    expect(subscriptionsOf(r)).toContain(`${LA_CANOURGUE} messages la-canourgue.collectivite.fr`);
    // The alias keeps receiving: the merged commune's MX are there, under the label's own owner.
    expect(zoneRecordsOf(r).filter((x) => x.startsWith("saint-chely-d-apcher 3600 MX"))).toEqual([
      "saint-chely-d-apcher 3600 MX 10 mx1.mail.suite-territoriale.anct.gouv.fr.",
      "saint-chely-d-apcher 3600 MX 20 mx2.mail.suite-territoriale.anct.gouv.fr.",
    ]);
  });

  test("allocate --switch: Mende takes its new name's label, the old one stays its alias", async () => {
    cli(["allocate", "--switch", MENDE]);
    const r = await applyAndCheck();
    expect(r.outputs).toMatchObject({ added: ["mende"], changed: ["mende-en-gevaudan"], removed: ["mende-en-gevaudan"] });
    const guard = String(r.outputs.deletionGuard);
    expect(guard).toContain(`mende-en-gevaudan (mende-en-gevaudan): all records [now the label of its commune ${MENDE} (allocate --switch)]`);
    expect(guard).toContain(`mende-en-gevaudan (${MENDE}): dkim.TXT [switched from mende to mende-en-gevaudan (allocate --switch)]`);
    expect(subscriptionsOf(r)).toContain(`${MENDE} messages mende-en-gevaudan.collectivite.fr`);
    expect(r.outputs.dkimPending).toEqual(["la-canourgue", "mende-en-gevaudan"]);
  });
});

describe("what the guard refuses in that year, naming the commune", () => {
  const refused = async (extra: Record<string, string>) => {
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: stackConfig(extra), previousOutputs: previous! });
    expect(registered).toBe(0);
    expect(error.message).toMatch(/^deletion guard: refusing to run/);
    return error.message;
  };

  test("a hand-cut ledger line", async () => {
    const cut = join(dir, "cut");
    mkdirSync(cut);
    const lines = readFileSync(join(ledger, "ledger.jsonl"), "utf8").split("\n").filter((l) => l !== "" && !l.includes('"label":"marvejols"'));
    writeFileSync(join(cut, "ledger.jsonl"), `${lines.join("\n")}\n`);
    copyFileSync(join(ledger, "audit.jsonl"), join(cut, "audit.jsonl"));
    const message = await refused({ "domaines:ledgerDir": cut });
    expect(message).toContain(`marvejols (${MARVEJOLS}): all records — the ledger has no line for "marvejols" any more`);
    expect(message).toContain(`marvejols (${MARVEJOLS}) messages via cdg48 — the ledger has no line for "marvejols" any more`);
  });

  test("a lost DKIM key", async () => {
    const keys = JSON.parse(readFileSync(dkimFile, "utf8")) as Record<string, unknown>;
    delete keys["marvejols.collectivite.fr"];
    const lost = join(dir, "dkim-lost.json");
    writeFileSync(lost, JSON.stringify(keys));
    expect(await refused({ "domaines:dkimFile": lost })).toContain(`marvejols (${MARVEJOLS}): dkim.TXT — still enrolled in messages`);
  });

  test("every MX target changed", async () => {
    const cfg = JSON.parse(readFileSync(join(process.cwd(), "data", "config.json"), "utf8"));
    cfg.dns.variables.mailDomain = "mail.ailleurs.example";
    const file = join(dir, "config-moved.json");
    writeFileSync(file, JSON.stringify(cfg));
    const message = await refused({ "domaines:configFile": file, "domaines:mailTechnicalDomain": "mail.ailleurs.example" });
    expect(message).toMatch(/records \(\d+\.\d%\) would change in place with no ledger change to explain it, more than domaines:maxUpdateShare = 2\.0%/);
    expect(message).toContain(`marvejols (${MARVEJOLS}): mx1.MX, mx2.MX, spf.TXT`);
    expect(message).toContain(`mende-en-gevaudan (${MENDE}): mx1.MX, mx2.MX, spf.TXT`);
  });

  test("a member dropped from its operator while enrolled", async () => {
    const ops = JSON.parse(readFileSync(join(process.cwd(), "data", "operators.json"), "utf8"));
    ops.operators[0].members = ops.operators[0].members.filter((m: string) => m !== MARVEJOLS);
    const file = join(dir, "operators-dropped.json");
    writeFileSync(file, JSON.stringify(ops));
    expect(await refused({ "domaines:operatorsFile": file })).toContain(
      `marvejols (${MARVEJOLS}) messages via cdg48 — still enrolled in messages, but the commune is a member of no configured operator (data/operators.json)`,
    );
  });

  test("every run of the year passed without the override", () => {
    expect(runs).toHaveLength(6);
    for (const r of runs) expect(String(r.outputs.deletionGuard)).not.toMatch(/OVERRIDDEN/);
  });
});

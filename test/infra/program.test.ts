import { beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { desiredZone, stackRecords } from "../../src/records/model.js";
import type { DesiredRecord } from "../../src/records/types.js";
import { overlayStackConfig } from "../../infra/sources.js";
import { runExpectingFailure, runWithMocks, type MockRun } from "./support/mock-run.js";
import {
  departementEntries,
  dkimFor,
  homonymReservation,
  rawConfig,
  sourcesFor,
  stackConfig,
  tombstoned,
  withServices,
  ZONE,
} from "./support/fixtures.js";

/**
 * The real Pulumi program under `pulumi.runtime.setMocks`, with the Lozère ledger built
 * from the real commune data and the real deployment configuration.
 */

const ZONE_RECORD = "ovh:Domain/zoneRecord:ZoneRecord";

/** A ZoneRecord's fields as OVH stores them, TXT read back as the resolver sees it. */
function asRecord(inputs: Record<string, unknown>): string {
  const target = String(inputs.target);
  const value = inputs.fieldtype === "TXT" ? [...target.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("") : target;
  return JSON.stringify([inputs.zone, inputs.subdomain, inputs.fieldtype, value, inputs.ttl]);
}

function modelRecord(r: DesiredRecord): string {
  return JSON.stringify([ZONE, r.name, r.type, r.value, r.ttl]);
}

function zoneRecords(run: MockRun) {
  return [...run.resources.values()].filter((r) => r.type === ZONE_RECORD);
}

function sortedUrns(run: MockRun): string[] {
  return [...run.resources.keys()].sort();
}

function inputsByUrn(run: MockRun): Record<string, unknown> {
  return Object.fromEntries([...run.resources.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([u, r]) => [u, r.inputs]));
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function modelFor(entries: LedgerEntry[], shard: string, dkim = {}) {
  const deployment = overlayStackConfig(loadConfig(), stackConfig(shard));
  return desiredZone(entries, deployment, dkim, shard === "platform" ? {} : { departement: shard });
}

/** The whole Lozère ledger for the exact-equality proof; a 30-commune slice where runs are repeated (each run costs ~3 ms a resource). */
let wholeLozere: LedgerEntry[];
let lozere: LedgerEntry[];
let withDkim: string[];
beforeAll(() => {
  wholeLozere = departementEntries("48");
  lozere = wholeLozere.slice(0, 30);
  withDkim = wholeLozere.filter((_, i) => i % 3 === 0).map((e) => e.label);
});

const depRun = (entries: LedgerEntry[], extra: Record<string, string> = {}, previousOutputs?: Record<string, unknown>) =>
  runWithMocks({ stack: "dep-48", config: rawConfig("48", extra), sources: sourcesFor(entries, dkimFor(withDkim)), ...(previousOutputs ? { previousOutputs } : {}) });

describe("a département stack (Lozère)", () => {
  test("its ZoneRecords are exactly the record model's records for the shard; outputs count them", async () => {
    const run = await depRun(wholeLozere);
    const records = stackRecords(modelFor(wholeLozere, "48", dkimFor(withDkim)), "48");
    const expected = records.map(modelRecord).sort();
    const actual = zoneRecords(run).map((r) => asRecord(r.inputs)).sort();
    expect(wholeLozere.length).toBeGreaterThan(140);
    expect(expected.length).toBeGreaterThan(wholeLozere.length * 8);
    expect(actual).toEqual(expected);
    // One CommuneDomain per commune, each record its child, nothing else.
    const components = [...run.resources.values()].filter((r) => r.type === "domaines:dns:CommuneDomain");
    expect(components.map((c) => c.name).sort()).toEqual(wholeLozere.map((e) => e.key!).sort());
    expect(zoneRecords(run).every((r) => r.urn.includes("::domaines:dns:CommuneDomain$ovh:Domain/zoneRecord:ZoneRecord::"))).toBe(true);
    expect(run.resources.size).toBe(components.length + actual.length);
    expect(run.stackReferenceName).toBe("organization/domaines/dep-48");

    const byType: Record<string, number> = {};
    for (const r of records) byType[r.type] = (byType[r.type] ?? 0) + 1;
    expect(run.outputs.recordCounts).toEqual(byType);
    expect(run.outputs.recordTotal).toBe(records.length);
    expect(run.outputs.owners).toBe(wholeLozere.length);
    expect(run.outputs.added).toEqual(wholeLozere.map((e) => e.label).sort());
    expect(run.outputs.removed).toEqual([]);
    expect(run.outputs.dkimPending).toEqual(wholeLozere.map((e) => e.label).filter((l) => !withDkim.includes(l)).sort());
    expect(run.outputs.underscoreRecords).toBe(records.filter((r) => r.name.split(".").some((l) => l.startsWith("_"))).length);
  });

  test("logical names are identical across runs and under permutations of the ledger", async () => {
    const a = await depRun(lozere);
    const b = await depRun(lozere);
    const c = await depRun(shuffled(lozere, 7));
    const d = await depRun(shuffled(lozere, 12345).reverse());
    expect(sortedUrns(b)).toEqual(sortedUrns(a));
    expect(sortedUrns(c)).toEqual(sortedUrns(a));
    expect(inputsByUrn(c)).toEqual(inputsByUrn(a));
    expect(inputsByUrn(d)).toEqual(inputsByUrn(a));
    expect(c.outputs.guardState).toEqual(a.outputs.guardState);
  });

  test("onboarding one commune adds only that commune's resources", async () => {
    const newcomer = lozere[17]!;
    const before = await depRun(lozere.filter((e) => e !== newcomer));
    const after = await depRun(lozere, {}, before.outputs);
    const beforeUrns = new Set(before.resources.keys());
    const addedUrns = [...after.resources.keys()].filter((u) => !beforeUrns.has(u));
    const expectedRecords = stackRecords(modelFor([newcomer], "48", dkimFor(withDkim)), "48");
    expect(addedUrns.length).toBe(expectedRecords.length + 1);
    expect(addedUrns.every((u) => u.endsWith(`::${newcomer.key}`) || u.includes(`::${newcomer.key}.`))).toBe(true);
    for (const u of beforeUrns) expect(after.resources.get(u)?.inputs, u).toEqual(before.resources.get(u)!.inputs);
    expect(after.outputs).toMatchObject({ added: [newcomer.label], changed: [], removed: [] });
  });

  test("a DKIM key arriving changes only that commune", async () => {
    const late = lozere.find((e) => !withDkim.includes(e.label))!;
    const before = await depRun(lozere);
    const after = await runWithMocks({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere, dkimFor([...withDkim, late.label])), previousOutputs: before.outputs });
    expect(after.outputs).toMatchObject({ added: [], changed: [late.label], removed: [] });
    expect(after.outputs.dkimPending).not.toContain(late.label);
  });
});

describe("the deletion guard in the program", () => {
  let previous: Record<string, unknown>;
  beforeAll(async () => {
    previous = (await depRun(lozere)).outputs;
  });

  test("refuses, before registering anything, when a commune vanishes from the ledger without offboarding", async () => {
    const gone = lozere[10]!;
    const { error, registered } = await runExpectingFailure({
      stack: "dep-48",
      config: rawConfig("48"),
      sources: sourcesFor(lozere.filter((e) => e !== gone), dkimFor(withDkim)),
      previousOutputs: previous,
    });
    expect(error.name).toBe("InfraError");
    expect(error.message).toMatch(/refusing to run/);
    expect(error.message).toContain(`${gone.label} (${gone.key}): all records [not offboarded]`);
    expect(registered).toBe(0);
  });

  test("the override flag lets the same run through", async () => {
    const gone = lozere[10]!;
    const run = await depRun(lozere.filter((e) => e !== gone), { "domaines:allowDeletions": "true" }, previous);
    expect(run.outputs.removed).toEqual([gone.label]);
    expect(String(run.outputs.deletionGuard)).toMatch(/OVERRIDDEN/);
  });

  test("lets an offboarding through: the commune keeps its no-mail records", async () => {
    const leaving = lozere[20]!;
    const run = await depRun(lozere.map((e) => (e === leaving ? withServices(e, []) : e)), {}, previous);
    expect(run.outputs.changed).toEqual([leaving.label]);
    // Every record id it had goes (the no-mail records have ids of their own).
    expect(String(run.outputs.deletionGuard)).toContain(`${leaving.label} (${leaving.key}): all records [offboarded from messages]`);
    const own = zoneRecords(run).filter((r) => r.urn.includes(`::${leaving.key}.`)).map((r) => `${r.inputs.fieldtype} ${r.inputs.target}`).sort();
    expect(own).toEqual(['MX 0 .', 'TXT "v=spf1 -all"']);
  });

  test("lets a tombstone through: its label's records become no-mail ones", async () => {
    const dead = lozere[25]!;
    const run = await depRun(lozere.map((e) => (e === dead ? tombstoned(e) : e)), {}, previous);
    expect(String(run.outputs.deletionGuard)).toMatch(new RegExp(`${dead.label} .*\\[tombstone since 2026-02-01\\]`));
    expect(run.outputs.added).toEqual([dead.label]);
    expect(run.outputs.removed).toEqual([dead.label]);
  });

  test("refuses offboardings above the share threshold, and the threshold is configuration", async () => {
    const leaving = new Set(lozere.slice(0, 3));
    const entries = lozere.map((e) => (leaving.has(e) ? withServices(e, []) : e));
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(entries, dkimFor(withDkim)), previousOutputs: previous });
    expect(error.message).toMatch(/records \(\d+\.\d%\) would be deleted, more than domaines:maxDeletionShare = 5\.0%/);
    expect(registered).toBe(0);
    const run = await depRun(entries, { "domaines:maxDeletionShare": "0.5" }, previous);
    expect((run.outputs.changed as string[]).length).toBe(3);
  });

  test("an unreadable previous state stops the run instead of guessing", async () => {
    const { error } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere), previousOutputs: { guardState: { version: 99 } } });
    expect(error.message).toMatch(/"guardState" output of stack organization\/domaines\/dep-48 .* is unreadable/);
  });
});

describe("the platform stack", () => {
  test("holds DNSSEC, the zone-level records and the anti-spoofing records of labels no commune holds", async () => {
    const reserved = [homonymReservation("saint-denis"), homonymReservation("sainte-colombe")];
    const entries = [...lozere, ...reserved];
    const run = await runWithMocks({ stack: "platform", config: rawConfig("platform"), sources: sourcesFor(entries) });
    const all = [...run.resources.values()];
    const dnssec = all.filter((r) => r.type === "ovh:Domain/zoneDNSSec:ZoneDNSSec");
    expect(dnssec.map((r) => [r.name, r.inputs.zoneName])).toEqual([["dnssec", ZONE]]);
    expect(all.some((r) => r.type === "domaines:dns:CommuneDomain")).toBe(false);
    const groups = all.filter((r) => r.type === "domaines:dns:ZoneNames").map((r) => r.name).sort();
    expect(groups).toEqual(["saint-denis", "sainte-colombe", "zone"]);

    const expected = stackRecords(modelFor(entries, "platform"), "platform");
    expect(zoneRecords(run).map((r) => asRecord(r.inputs)).sort()).toEqual(expected.map(modelRecord).sort());
    const zoneLevel = zoneRecords(run).filter((r) => r.urn.endsWith("::zone." + r.name.split(".").slice(1).join(".")));
    expect(zoneLevel.map((r) => `${r.inputs.subdomain} ${r.inputs.fieldtype} ${r.inputs.target}`).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^_dmarc TXT "v=DMARC1; p=reject; sp=reject;/), expect.stringMatching(/^ CAA 0 issue "/), "* MX 0 .", '* TXT "v=spf1 -all"']),
    );
    expect(zoneRecords(run).filter((r) => r.inputs.subdomain === "saint-denis").map((r) => `${r.inputs.fieldtype} ${r.inputs.target}`).sort()).toEqual(['MX 0 .', 'TXT "v=spf1 -all"']);
    expect(run.outputs).toMatchObject({ shard: "platform", owners: 3, dkimPending: [] });
  });

  test("never lets a zone-level record go silently", async () => {
    const first = await runWithMocks({ stack: "platform", config: rawConfig("platform"), sources: sourcesFor([]) });
    const base = loadConfig();
    const withoutCaa = { ...base, dns: { ...base.dns!, zoneRecords: base.dns!.zoneRecords.filter((t) => t.purpose !== "caa-issuewild") } };
    const { error } = await runExpectingFailure({
      stack: "platform",
      config: rawConfig("platform", { "domaines:maxDeletionShare": "1" }),
      sources: (config) => ({ entries: [], dkim: {}, deployment: overlayStackConfig(withoutCaa, config) }),
      previousOutputs: first.outputs,
    });
    expect(error.message).toMatch(/@ \(zone\): caa-issuewild\.CAA \[not offboarded\]/);
  });
});

describe("Espace Opérateur subscriptions in the département stack", () => {
  test("declared beside the records from the shipped operators and quota policy, and nothing when the guard refuses", async () => {
    const entries = wholeLozere.filter((e) => ["mende", "marvejols", "chanac", "langogne"].includes(e.label));
    expect(entries.length).toBe(4);
    const run = await depRun(entries, { "domaines:subscriptions": "true" });
    const subs = [...run.resources.values()].filter((r) => r.type.includes("EspaceOperateurSubscription"));
    expect(subs.length).toBeGreaterThan(0);
    expect(subs.length).toBe((run.outputs.subscriptions as unknown[]).length);
    expect(zoneRecords(run).length).toBe(stackRecords(modelFor(entries, "48", dkimFor(withDkim)), "48").length);

    const { error, registered } = await runExpectingFailure({
      stack: "dep-48",
      config: rawConfig("48", { "domaines:subscriptions": "true" }),
      sources: sourcesFor(entries.slice(1), dkimFor(withDkim)),
      previousOutputs: run.outputs,
    });
    expect(error.message).toMatch(/refusing to run/);
    expect(registered).toBe(0);
  });
});

describe("configuration and secrets", () => {
  test("a bad stack config fails naming the key, before any resource", async () => {
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: { "domaines:shard": "48", "domaines:mailTechnicalDomain": "x.example.net", "domaines:alowDeletions": "true" }, sources: sourcesFor(lozere) });
    expect(error.name).toBe("InfraError");
    expect(error.message).toMatch(/stack "dep-48" configuration is invalid/);
    expect(error.message).toMatch(/domaines:zone: missing; set it with `pulumi config set domaines:zone <value>`/);
    expect(error.message).toMatch(/domaines:alowDeletions: unknown key/);
    expect(registered).toBe(0);
  });

  test("no secret reaches the outputs or the resources; a plain-text OVH secret is refused", async () => {
    const secrets = { "ovh:applicationSecret": "APPSECRET-d41d8cd98f00b204", "ovh:consumerKey": "CONSUMERKEY-e9800998ecf8427e" };
    const run = await runWithMocks({
      stack: "dep-48",
      config: { ...rawConfig("48"), "ovh:applicationKey": "appkey-public", ...secrets },
      secretKeys: Object.keys(secrets),
      sources: sourcesFor(lozere.slice(0, 5), dkimFor(withDkim)),
    });
    const everything = JSON.stringify([run.outputs, [...run.resources.values()].map((r) => r.inputs)]);
    for (const value of Object.values(secrets)) expect(everything).not.toContain(value);
    expect(everything).not.toContain("appkey-public");

    const { error } = await runExpectingFailure({ stack: "dep-48", config: { ...rawConfig("48"), ...secrets }, secretKeys: ["ovh:consumerKey"], sources: sourcesFor(lozere) });
    expect(error.message).toMatch(/ovh:applicationSecret: stored in plain text; set it with `pulumi config set --secret ovh:applicationSecret …` or use the OVH_APPLICATION_SECRET environment variable/);
    expect(error.message).not.toContain("APPSECRET");
  });
});

import { beforeAll, describe, expect, test } from "vitest";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { desiredZone, stackRecords } from "../../src/records/model.js";
import type { DesiredRecord } from "../../src/records/types.js";
import { loadOperators } from "../../src/services/operators.js";
import { loadStackSubscriptionSources } from "../../infra/providers/subscriptions.js";
import { runExpectingFailure, runWithMocks, type MockRun } from "./support/mock-run.js";
import {
  departementEntries,
  dkimFor,
  homonymReservation,
  rawConfig,
  sourcesFor,
  testDeployment,
  tombstoned,
  TTL,
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
  return desiredZone(entries, testDeployment(), dkim, shard === "platform" ? {} : { departement: shard });
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
    expect(wholeLozere.length).toBe(152);
    // 9 records each (Messages, web) but the DKIM of the two thirds still pending.
    expect(expected.length).toBe(152 * 9 - wholeLozere.filter((e) => !withDkim.includes(e.label)).length);
    expect(actual).toEqual(expected);
    // The deployment's TTL (900 in the test deployment, not data/config.json's 3600) is what OVH gets.
    expect(new Set(zoneRecords(run).map((r) => r.inputs.ttl))).toEqual(new Set([TTL]));
    expect(zoneRecords(run).every((r) => r.protect === false)).toBe(true);
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

  test("onboarding a commune that already held its label (its no-mail pair replaced) passes the guard without allowDeletions", async () => {
    const idle = lozere.map((e, i) => (i < 3 ? withServices(e, []) : e));
    const before = await depRun(idle);
    const after = await depRun(lozere, {}, before.outputs);
    expect(after.outputs).toMatchObject({ added: [], changed: lozere.slice(0, 3).map((e) => e.label).sort(), removed: [] });
    expect(String(after.outputs.deletionGuard)).toContain(`${lozere[0]!.label} (${lozere[0]!.key}): null-mx.MX, spf-none.TXT [enrolled in messages: its mail records replace the no-mail ones]`);
    const own = zoneRecords(after).filter((r) => r.urn.includes(`::${lozere[0]!.key}.`)).map((r) => r.inputs.fieldtype);
    expect(own).not.toContain("0 .");
    expect(zoneRecords(after).filter((r) => r.urn.includes(`::${lozere[0]!.key}.`) && r.inputs.target === "0 .")).toEqual([]);
  });

  test("a second run on the same inputs changes nothing", async () => {
    const first = await depRun(lozere);
    const second = await depRun(lozere, {}, first.outputs);
    expect(inputsByUrn(second)).toEqual(inputsByUrn(first));
    expect(second.outputs).toMatchObject({ added: [], changed: [], removed: [], changes: { creates: 0, updates: 0, deletes: 0, subscriptionCreates: 0, subscriptionDeletes: 0 } });
    expect(second.outputs.deletionGuard).toBe("deletion guard: nothing would be deleted");
  });

  test("a template's own TTL reaches OVH as such", async () => {
    const base = testDeployment();
    const sets = structuredClone(base.dns!.recordSets);
    sets.messages!.records.find((t) => t.purpose === "dmarc")!.ttl = 300;
    const run = await runWithMocks({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere.slice(0, 2), dkimFor(withDkim), { ...base, dns: { ...base.dns!, recordSets: sets } }) });
    const dmarc = zoneRecords(run).filter((r) => String(r.inputs.subdomain).startsWith("_dmarc."));
    expect(dmarc.map((r) => r.inputs.ttl)).toEqual([300, 300]);
    expect(zoneRecords(run).filter((r) => !String(r.inputs.subdomain).startsWith("_dmarc.")).every((r) => r.inputs.ttl === TTL)).toBe(true);
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
    expect(error.message).toContain(`${gone.label} (${gone.key}): all records [not explained: the ledger has no line for "${gone.label}" any more`);
    expect(registered).toBe(0);
  });

  test("refuses a commune still enrolled losing records (a lost DKIM key), even beside an offboarding of it", async () => {
    const keyed = lozere.find((e) => withDkim.includes(e.label))!;
    const lost = dkimFor(withDkim.filter((l) => l !== keyed.label));
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere, lost), previousOutputs: previous });
    expect(error.message).toContain(`${keyed.label} (${keyed.key}): dkim.TXT — still enrolled in messages`);
    expect(registered).toBe(0);
    // Offboarded from fichiers in the same run: the DKIM loss is still not explained by it.
    const both = await depRun(lozere.map((e) => (e === keyed ? withServices(e, ["messages", "fichiers"]) : e)));
    const { error: again } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere, lost), previousOutputs: both.outputs });
    expect(again.message).toContain(`${keyed.label} (${keyed.key}): dkim.TXT — still enrolled in messages`);
  });

  test("refuses a change of zone, before registering anything", async () => {
    const other = { ...testDeployment(), zone: "autre.collectivite.fr" };
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48", { "domaines:zone": "autre.collectivite.fr" }), sources: sourcesFor(lozere, dkimFor(withDkim, "autre.collectivite.fr"), other), previousOutputs: previous });
    expect(error.message).toContain(`the zone changed from ${ZONE} to autre.collectivite.fr: all ${(previous.recordTotal as number)} records would be deleted from ${ZONE}`);
    expect(registered).toBe(0);
  });

  test("refuses a stack config that disagrees with the deployment configuration, naming both values", async () => {
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48", { "domaines:defaultTtl": "3600", "domaines:mailTechnicalDomain": "mail.suite-territoriale.anct.gouv.fr" }), sources: sourcesFor(lozere) });
    expect(error.message).toContain(`domaines:defaultTtl is 3600 but data/config.json says dns.ttl ${TTL}`);
    expect(error.message).toContain(`domaines:mailTechnicalDomain is mail.suite-territoriale.anct.gouv.fr but data/config.json says dns.variables.mailDomain "messages.example.net"`);
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
    // Every record it had goes (the no-mail records have identities of their own).
    expect(String(run.outputs.deletionGuard)).toMatch(new RegExp(`${leaving.label} \\(${leaving.key}\\): (dkim\\.TXT, )?dmarc\\.TXT, mx1\\.MX, mx2\\.MX, spf\\.TXT, tls-rpt\\.TXT, web-a-1\\.A, web-aaaa-1\\.AAAA, www\\.CNAME \\[offboarded from messages\\]`));
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
    // Protected: deleting it would switch DNSSEC off for the whole zone.
    expect(dnssec.map((r) => [r.name, r.inputs.zoneName, r.protect])).toEqual([["dnssec", ZONE, true]]);
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
    const base = testDeployment();
    const withoutCaa = { ...base, dns: { ...base.dns!, zoneRecords: base.dns!.zoneRecords.filter((t) => t.purpose !== "caa-issuewild") } };
    const { error } = await runExpectingFailure({
      stack: "platform",
      config: rawConfig("platform", { "domaines:maxDeletionShare": "1" }),
      sources: sourcesFor([], {}, withoutCaa),
      previousOutputs: first.outputs,
    });
    expect(error.message).toContain("@ (zone): caa-issuewild.CAA [not explained: zone-level records are never deleted by a ledger change]");
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

describe("Espace Opérateur subscriptions under the guard", () => {
  const members = ["mende", "marvejols", "langogne"];
  let entries: LedgerEntry[];
  let first: MockRun;
  const withOperators = (drop: (ops: ReturnType<typeof loadOperators>) => ReturnType<typeof loadOperators>) => () => {
    const src = loadStackSubscriptionSources();
    return { ...src, operators: drop(structuredClone(src.operators)) };
  };
  beforeAll(async () => {
    entries = wholeLozere.filter((e) => members.includes(e.label));
    first = await depRun(entries, { "domaines:subscriptions": "true" });
    expect((first.outputs.guardState as { subscriptions: unknown[] }).subscriptions).toHaveLength(3);
  });

  test("a member dropped from its operator while enrolled is refused, naming the commune", async () => {
    const langogne = entries.find((e) => e.label === "langogne")!;
    const { error, registered } = await runExpectingFailure({
      stack: "dep-48",
      config: rawConfig("48", { "domaines:subscriptions": "true" }),
      sources: sourcesFor(entries, dkimFor(withDkim)),
      subscriptionSources: withOperators((ops) => ({ ...ops, operators: ops.operators.map((o) => ({ ...o, members: o.members.filter((m) => m !== langogne.key) })) })),
      previousOutputs: first.outputs,
    });
    expect(error.message).toContain(`langogne (${langogne.key}) messages via cdg48 — still enrolled in messages, but the commune is a member of no configured operator (data/operators.json)`);
    expect(registered).toBe(0);
  });

  test("removing the operator, or switching subscriptions off, is refused the same way", async () => {
    const { error } = await runExpectingFailure({
      stack: "dep-48",
      config: rawConfig("48", { "domaines:subscriptions": "true" }),
      sources: sourcesFor(entries, dkimFor(withDkim)),
      subscriptionSources: withOperators((ops) => ({ ...ops, operators: [] })),
      previousOutputs: first.outputs,
    });
    expect(error.message).toMatch(/^deletion guard: refusing to run/);
    expect(error.message).toContain("3 Espace Opérateur subscription(s) would be deleted although the ledger does not explain it");
    const { error: off } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48", { "domaines:subscriptions": "false" }), sources: sourcesFor(entries, dkimFor(withDkim)), previousOutputs: first.outputs });
    expect(off.message).toContain("still enrolled in messages, but this run declares no subscription (domaines:subscriptions is false)");
  });

  test("offboarding passes and the subscription goes", async () => {
    // Three communes: one offboarding is a third of the stack's records, so the share is raised for this small stack.
    const run = await depRun(entries.map((e) => (e.label === "langogne" ? withServices(e, []) : e)), { "domaines:subscriptions": "true", "domaines:maxDeletionShare": "0.5" }, first.outputs);
    expect((run.outputs.subscriptions as { label: string }[]).map((s) => s.label).sort()).toEqual(["marvejols", "mende"]);
    expect(run.outputs.changes).toMatchObject({ subscriptionDeletes: 1, subscriptionCreates: 0 });
    expect(String(run.outputs.deletionGuard)).toMatch(/langogne \(214800807\) messages \[offboarded from messages\]/);
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

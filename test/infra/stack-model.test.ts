import { describe, expect, test } from "vitest";
import { buildStackModel, subscriptionSnapshot } from "../../infra/stack-model.js";
import { parseStackConfig } from "../../infra/config.js";
import type { SubscriptionPlan } from "../../src/services/subscriptions.js";
import { config, entry } from "../records/fixtures.js";
import { edit, fleet, keyOf, keysFor, withServices } from "../records/lifecycle.js";

/**
 * What a stack run decides, without the Pulumi engine: the snapshot it would leave, the
 * diff against the previous one, the guard's decision and the reviewer outputs, all from
 * the same values. (The program test runs the same under mocks.)
 */

const dep48 = (extra: Record<string, string> = {}) => parseStackConfig({ "domaines:zone": "collectivite.fr", "domaines:shard": "48", ...extra }, "dep-48", () => false);
const platform = () => parseStackConfig({ "domaines:zone": "collectivite.fr", "domaines:shard": "platform" }, "platform", () => false);
const sources = (entries = fleet(4), dkim = keysFor(entries)) => ({ entries, dkim, deployment: config() });

function plan(keys: number[], unplaced: number[] = []): SubscriptionPlan {
  const sub = (i: number) => ({ communeKey: keyOf(i), siren: keyOf(i), name: `Commune ${i}`, departement: "48", label: `commune-${i}`, service: "messages" as const, reach: "member" as const, operator: "cdg48", operatorId: "x", tokenEnv: "DOMAINES_EO_TOKEN_CDG48", serviceId: 2, domains: [`commune-${i}.collectivite.fr`], quotas: [], entitlements: [] });
  return { subscriptions: keys.map(sub), unplaced: unplaced.map((i) => ({ communeKey: keyOf(i), label: `commune-${i}`, service: "messages", reason: "the commune is a member of no configured operator (data/operators.json)" })) };
}

describe("the stack model", () => {
  test("a first run: the snapshot is the shard's records and subscriptions; the plan, outputs and guard read the same values", () => {
    const entries = [...fleet(3), entry({ label: "vieux", state: "alias", key: "200000050", aliasOf: keyOf(0), departement: "48" }), entry({ label: "saint-denis", state: "reserved", reservedReason: "homonym-group" })];
    const m = buildStackModel(dep48(), sources(entries, keysFor(entries.slice(0, 2))), null, plan([0, 1]));
    expect(m.snapshot).toMatchObject({ version: 2, zone: "collectivite.fr", shard: "48" });
    expect(m.snapshot.owners.map((o) => o.label)).toEqual(["commune-0", "commune-1", "commune-2", "vieux"]);
    expect(m.snapshot.subscriptions).toEqual(subscriptionSnapshot(plan([0, 1])));
    expect(subscriptionSnapshot(null)).toEqual([]);
    expect(m.plan.owners.map((o) => [o.resourceName, o.holder.kind])).toEqual([[keyOf(0), "commune"], [keyOf(1), "commune"], [keyOf(2), "commune"], ["vieux", "label"]]);
    expect(m.plan.total).toBe(9 + 9 + 8 + 8);
    expect(m.review).toEqual({
      recordCounts: { A: 4, AAAA: 4, CNAME: 4, MX: 8, TXT: 14 },
      owners: 4,
      added: ["commune-0", "commune-1", "commune-2", "vieux"],
      changed: [],
      removed: [],
      changes: { creates: 34, updates: 0, deletes: 0, subscriptionCreates: 2, subscriptionDeletes: 0 },
      dkimPending: ["commune-2"],
      underscoreRecords: 4 * 2 + 2,
    });
    expect(m.decision).toMatchObject({ allowed: true, overridden: false, violations: [], message: "deletion guard: nothing would be deleted" });
  });

  test("a département stack holds only its département's labels", () => {
    const entries = [...fleet(2), entry({ label: "ajaccio", state: "allocated", key: "212000046", departement: "2A" })];
    const m = buildStackModel(dep48(), sources(entries), null);
    expect(m.snapshot.owners.map((o) => o.label)).toEqual(["commune-0", "commune-1"]);
    expect(m.review.dkimPending).toEqual([]);
    // Enrolled in messages, Ajaccio waits for its DKIM key, but in its own stack: dep-48's model does not even compute it.
    const enrolled = [...fleet(2), entry({ label: "ajaccio", state: "allocated", key: "212000046", departement: "2A", services: { messages: { enrolledAt: "2026-01-01T00:00:00.000Z", quotas: {} } } })];
    const n = buildStackModel(dep48(), sources(enrolled, keysFor(enrolled.slice(0, 2))), null);
    expect(n.desired.owners.map((o) => o.label)).toEqual(["commune-0", "commune-1"]);
    expect(n.review.dkimPending).toEqual([]);
  });

  test("the platform stack holds the zone level and labels of no département, and pends no DKIM of the communes", () => {
    const entries = [...fleet(2), entry({ label: "saint-denis", state: "reserved", reservedReason: "homonym-group" })];
    const m = buildStackModel(platform(), sources(entries, {}), null);
    expect(m.snapshot.owners.map((o) => [o.label, o.holder.kind])).toEqual([["@", "zone"], ["saint-denis", "label"]]);
    expect(m.review.dkimPending).toEqual([]);
    expect(m.plan.owners.map((o) => o.resourceName)).toEqual(["zone", "saint-denis"]);
    // A label of no département enrolled without its DKIM key is the platform's to report.
    const orphan = entry({ label: "orphelin", state: "allocated", key: "200000077", services: { messages: { enrolledAt: "2026-01-01T00:00:00.000Z", quotas: {} } } });
    expect(buildStackModel(platform(), sources([...entries, orphan], {}), null).review.dkimPending).toEqual(["orphelin"]);
  });

  test("an offboarding under the threshold passes; over it, refused unless the share or the override says so", () => {
    const before = fleet(20);
    const first = buildStackModel(dep48(), sources(before), null);
    const one = buildStackModel(dep48(), sources(edit(before, "commune-3", withServices())), first.snapshot);
    expect(one.decision).toMatchObject({ allowed: true, countedDeletions: 9, previousCount: 180 });
    expect(one.review).toMatchObject({ changed: ["commune-3"], changes: { deletes: 9, creates: 2 } });
    let two = edit(before, "commune-3", withServices());
    two = edit(two, "commune-4", withServices());
    expect(buildStackModel(dep48(), sources(two), first.snapshot).decision.violations).toEqual(["18 of 180 records (10.0%) would be deleted, more than domaines:maxDeletionShare = 5.0%"]);
    expect(buildStackModel(dep48({ "domaines:maxDeletionShare": "0.1" }), sources(two), first.snapshot).decision.allowed).toBe(true);
    expect(buildStackModel(dep48({ "domaines:allowDeletions": "true" }), sources(two), first.snapshot).decision).toMatchObject({ allowed: true, overridden: true });
  });

  test("the update threshold is the stack's maxUpdateShare", () => {
    const before = fleet(20);
    const first = buildStackModel(dep48(), sources(before), null);
    const ttl = { ...config(), dns: { ...config().dns!, ttl: 600 } };
    const s = { entries: before, dkim: keysFor(before), deployment: ttl };
    expect(buildStackModel(dep48(), s, first.snapshot).decision.violations[0]).toMatch(/^180 of 180 records \(100\.0%\) would change in place/);
    expect(buildStackModel(dep48({ "domaines:maxUpdateShare": "1" }), s, first.snapshot).decision.allowed).toBe(true);
  });

  test("subscriptions: the model's reason travels to the refusal; a stack that stops declaring them is refused", () => {
    const before = fleet(3);
    const first = buildStackModel(dep48(), sources(before), null, plan([0, 1, 2]));
    const dropped = buildStackModel(dep48(), sources(before), first.snapshot, plan([0, 2], [1]));
    expect(dropped.decision.violations).toEqual([`1 Espace Opérateur subscription(s) would be deleted although the ledger does not explain it: commune-1 (${keyOf(1)}) messages via cdg48 — still enrolled in messages, but the commune is a member of no configured operator (data/operators.json)`]);
    const none = buildStackModel(dep48(), sources(before), first.snapshot, null);
    expect(none.decision.violations[0]).toMatch(/^3 Espace Opérateur subscription\(s\) .*still enrolled in messages, but this run declares no subscription \(domaines:subscriptions is false\)/);
    expect(none.review.changes.subscriptionDeletes).toBe(3);
  });

  test("a previous snapshot of another shard is refused (domaines:previousStateStack pointing elsewhere)", () => {
    const other = buildStackModel(platform(), sources(fleet(1), {}), null);
    expect(() => buildStackModel(dep48(), sources(), other.snapshot)).toThrow("the previous run's applied snapshot is for shard platform, but this stack holds 48: domaines:previousStateStack must name this stack's own previous run.");
  });

  test("the stack's assertions are checked against the deployment configuration before anything", () => {
    expect(() => buildStackModel(dep48({ "domaines:defaultTtl": "300" }), sources(), null)).toThrow(/domaines:defaultTtl is 300 but data\/config\.json says dns\.ttl 3600/);
    expect(() => buildStackModel(dep48({ "domaines:zone": "test.collectivite.fr" }), sources(), null)).toThrow(/domaines:zone is test\.collectivite\.fr but data\/config\.json says zone collectivite\.fr/);
  });

  test("an invalid model stops the run, naming the record", () => {
    const bad = config();
    const sets = structuredClone(bad.dns!.recordSets);
    sets.messages!.records.find((r) => r.purpose === "dmarc")!.value = "v=DMARC1; p=reject; adkim=r; aspf=s";
    expect(() => buildStackModel(dep48(), { entries: fleet(1), dkim: {}, deployment: { ...bad, dns: { ...bad.dns!, recordSets: sets } } }, null)).toThrow(
      /record model: .*_dmarc\.commune-0\.collectivite\.fr TXT \(dmarc\) breaks dmarc-alignment: adkim=r \(relaxed\)/s,
    );
  });
});

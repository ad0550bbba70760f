import { beforeAll, describe, expect, test } from "vitest";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { runExpectingFailure, runWithMocks, type MockRun } from "./support/mock-run.js";
import { departementEntries, dkimFor, rawConfig, sourcesFor, TTL, ZONE } from "./support/fixtures.js";

/**
 * A delegated commune (its zone at Scaleway, as the people plugin left it) in the real
 * Pulumi program under mocks: the parent registers its NS records and nothing at or below
 * the cut, whatever it is enrolled in; DS stays out (OVH's zone records have no DS type).
 */

const ZONE_RECORD = "ovh:Domain/zoneRecord:ZoneRecord";
const AT = "2026-02-01T00:00:00.000Z";
const DS = "2371 13 2 1F987CC6583E92DF0890718C42E1A1DF1E7D2A4A2AB12E3E2FF7E3A97BB5D5F4";

let lozere: LedgerEntry[];
let delegatedOne: LedgerEntry;
beforeAll(() => {
  lozere = departementEntries("48", { limit: 30 }) // enough records that one commune's 9 stay under the guard's 5% share;
  delegatedOne = { ...lozere[0]!, legacy: true, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ds: [DS], since: AT } };
});

const withDelegated = () => lozere.map((e, i) => (i === 0 ? delegatedOne : e));
const run = (entries: LedgerEntry[], previousOutputs?: Record<string, unknown>) =>
  runWithMocks({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(entries, dkimFor(lozere.map((e) => e.label))), ...(previousOutputs ? { previousOutputs } : {}) });
const records = (r: MockRun) => [...r.resources.values()].filter((x) => x.type === ZONE_RECORD);
const atOrBelow = (r: MockRun, label: string) => records(r).filter((x) => x.inputs.subdomain === label || String(x.inputs.subdomain).endsWith(`.${label}`));

describe("a delegated commune in a département stack", () => {
  test("registers only its NS records (no DS, no mail, no no-mail pair) although it is enrolled in Messages", async () => {
    const r = await run(withDelegated());
    const label = delegatedOne.label;
    expect(atOrBelow(r, label).map((x) => [x.inputs.zone, x.inputs.subdomain, x.inputs.fieldtype, x.inputs.target, x.inputs.ttl])).toEqual([
      [ZONE, label, "NS", "ns0.dom.scw.cloud.", TTL],
      [ZONE, label, "NS", "ns1.dom.scw.cloud.", TTL],
    ]);
    // The others keep their mail records: 9 each (Messages, web, DKIM known).
    for (const e of lozere.slice(1)) expect(atOrBelow(r, e.label).length, e.label).toBe(9);
    expect(r.outputs.recordCounts).toMatchObject({ NS: 2 });
    expect(Object.keys(r.outputs.recordCounts as object)).not.toContain("DS");
  });

  test("a second run on the same inputs changes nothing", async () => {
    const first = await run(withDelegated());
    const second = await run(withDelegated(), first.outputs);
    expect(second.outputs).toMatchObject({ added: [], changed: [], removed: [], changes: { creates: 0, updates: 0, deletes: 0 } });
  });

  test("delegating a commune whose records were in the parent passes the guard: the delegation explains the deletions", async () => {
    const before = await run(lozere);
    const after = await run(withDelegated(), before.outputs);
    expect(after.outputs).toMatchObject({ added: [], changed: [delegatedOne.label], removed: [] });
    expect(String(after.outputs.deletionGuard)).toContain(`${delegatedOne.label} (${delegatedOne.key}):`);
    expect(atOrBelow(after, delegatedOne.label).map((x) => x.inputs.fieldtype)).toEqual(["NS", "NS"]);
  });

  test("a delegation that vanishes from the ledger without undelegate is refused before anything is registered", async () => {
    const before = await run(withDelegated());
    const { error, registered } = await runExpectingFailure({ stack: "dep-48", config: rawConfig("48"), sources: sourcesFor(lozere, dkimFor(lozere.map((e) => e.label))), previousOutputs: before.outputs });
    expect(error.message).toMatch(/refusing to run/);
    expect(error.message).toContain(`${delegatedOne.label} (${delegatedOne.key}): ns-1.NS, ns-2.NS`);
    expect(registered).toBe(0);
  });

  test("after undelegate (undelegatedAt recorded) the NS records go and the commune's own records come back", async () => {
    const before = await run(withDelegated());
    const { delegation: _d, ...rest } = delegatedOne;
    const undelegated = { ...rest, undelegatedAt: "2026-03-01T00:00:00.000Z" } as LedgerEntry;
    const after = await run(lozere.map((e, i) => (i === 0 ? undelegated : e)), before.outputs);
    expect(after.outputs).toMatchObject({ changed: [delegatedOne.label], removed: [] });
    expect(atOrBelow(after, delegatedOne.label).map((x) => x.inputs.fieldtype)).not.toContain("NS");
    expect(atOrBelow(after, delegatedOne.label).length).toBe(9);
  });
});

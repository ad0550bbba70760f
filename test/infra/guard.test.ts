import { describe, expect, test } from "vitest";
import { decideDeletions, type GuardInput } from "../../infra/guard.js";
import type { OwnerSnapshot } from "../../infra/snapshot.js";

const MAIL = ["mx1.MX", "mx2.MX", "spf.TXT", "dkim.TXT", "dmarc.TXT", "tls-rpt.TXT"];
const WEB = ["web-a-1.A", "www.CNAME"];

function owner(i: number, ids = [...MAIL, ...WEB], services = ["messages"]): OwnerSnapshot {
  return { owner: String(200000000 + i), label: `commune-${i}`, services, records: Object.fromEntries(ids.map((id) => [id, `d-${i}-${id}`])) };
}

const fleet = (n: number) => Array.from({ length: n }, (_, i) => owner(i));

function input(over: Partial<GuardInput>): GuardInput {
  return { previous: fleet(100), next: fleet(100), removalReason: () => null, maxDeletionShare: 0.05, allowDeletions: false, ...over };
}

describe("deletion guard (pure decision)", () => {
  test("first run and unchanged runs delete nothing", () => {
    expect(decideDeletions(input({ previous: null })).allowed).toBe(true);
    const same = decideDeletions(input({}));
    expect(same).toMatchObject({ allowed: true, removedCount: 0, violations: [] });
    expect(same.message).toBe("deletion guard: nothing would be deleted");
  });

  test("a changed value is not a deletion", () => {
    const next = fleet(100);
    next[3] = { ...next[3]!, records: { ...next[3]!.records, "mx1.MX": "other" } };
    expect(decideDeletions(input({ next })).removedCount).toBe(0);
  });

  test("refuses when a commune the ledger has not offboarded would disappear, naming it", () => {
    const next = fleet(100).filter((o) => o.label !== "commune-7");
    const d = decideDeletions(input({ next }));
    expect(d.allowed).toBe(false);
    expect(d.removed).toEqual([expect.objectContaining({ label: "commune-7", whole: true, explainedBy: null, records: [...MAIL, ...WEB].sort() })]);
    expect(d.message).toMatch(/refusing to run/);
    expect(d.message).toMatch(/commune-7 \(200000007\): all records \[not offboarded\]/);
    expect(d.message).toMatch(/domaines:allowDeletions/);
  });

  test("refuses when part of a commune's records would go without offboarding (e.g. its DKIM)", () => {
    const next = fleet(100);
    const { ["dkim.TXT"]: _gone, ...rest } = next[5]!.records;
    next[5] = { ...next[5]!, records: rest };
    const d = decideDeletions(input({ next }));
    expect(d.allowed).toBe(false);
    expect(d.message).toMatch(/commune-5 \(200000005\): dkim\.TXT/);
  });

  test("lets an offboarding through when the ledger explains it, and says so", () => {
    const next = fleet(100);
    next[9] = owner(9, WEB, []);
    const d = decideDeletions(input({ next, removalReason: (p) => (p.label === "commune-9" ? "offboarded from messages" : null) }));
    expect(d).toMatchObject({ allowed: true, overridden: false, removedCount: MAIL.length, violations: [] });
    expect(d.message).toMatch(/explained by the ledger/);
    expect(d.message).toMatch(/commune-9 .*\[offboarded from messages\]/);
  });

  test("refuses explained deletions above the share threshold", () => {
    const next = fleet(100).map((o, i) => (i < 10 ? owner(i, WEB, []) : o));
    const d = decideDeletions(input({ next, removalReason: () => "offboarded from messages" }));
    expect(d.removedCount).toBe(60);
    expect(d.previousCount).toBe(800);
    expect(d.allowed).toBe(false);
    expect(d.violations).toEqual(["60 of 800 records (7.5%) would be deleted, more than domaines:maxDeletionShare = 5.0%"]);
    expect(decideDeletions(input({ next, removalReason: () => "offboarded", maxDeletionShare: 0.1 })).allowed).toBe(true);
  });

  test("the explicit override lets a refused run through and keeps the list of what goes", () => {
    const next = fleet(100).filter((o) => o.label !== "commune-7");
    const d = decideDeletions(input({ next, allowDeletions: true }));
    expect(d).toMatchObject({ allowed: true, overridden: true });
    expect(d.message).toMatch(/OVERRIDDEN by domaines:allowDeletions=true/);
    expect(d.message).toMatch(/commune-7/);
  });

  test("a zone change is refused: every record would leave the old zone", () => {
    const d = decideDeletions(input({ zoneChange: { from: "collectivite.fr", to: "test.collectivite.fr" } }));
    expect(d.allowed).toBe(false);
    expect(d.message).toMatch(/zone changed from collectivite\.fr to test\.collectivite\.fr: all 800 records/);
  });

  test("long lists are cut, with the count of the rest", () => {
    const d = decideDeletions(input({ next: [], maxDeletionShare: 1 }));
    expect(d.removed.length).toBe(100);
    expect(d.message).toMatch(/… and 50 more owner\(s\)/);
    expect(d.violations[0]).toMatch(/100 owner\(s\) would lose records.*… and 80 more/);
  });
});

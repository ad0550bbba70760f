import { describe, expect, test } from "vitest";
import { decideGuard, MIN_FOR_SHARE, type GuardInput } from "../../infra/guard.js";
import type { SnapshotDiff } from "../../src/records/diff.js";
import { config } from "../records/fixtures.js";
import { aliasOf, commune, diff, edit, fleet, keyOf, keysFor, snapshot, step, tombstone, withServices } from "../records/lifecycle.js";

/** The guard's judgement of the one diff, on snapshots of the real record model. */

const judge = (d: SnapshotDiff, over: Partial<GuardInput> = {}) => decideGuard({ diff: d, maxDeletionShare: 0.05, maxUpdateShare: 0.05, allowDeletions: false, ...over });

const hundred = fleet(100, ["messages"]); // 9 records each: 900

describe("the deletion guard", () => {
  test("a first run and an unchanged run delete nothing", () => {
    expect(judge(diff(null, snapshot(hundred), hundred))).toMatchObject({ allowed: true, removedCount: 0, violations: [], message: "deletion guard: nothing would be deleted" });
    expect(judge(step(hundred, hundred))).toMatchObject({ allowed: true, previousCount: 900, violations: [] });
  });

  test("refuses what the ledger does not explain, naming the commune, the records and why", () => {
    const d = judge(step(hundred, edit(hundred, "commune-7", null)));
    expect(d.allowed).toBe(false);
    expect(d.removed).toEqual([expect.objectContaining({ label: "commune-7", owner: keyOf(7), whole: true, explainedBy: null })]);
    expect(d.violations).toEqual([`1 owner(s) would lose records that the ledger does not explain: commune-7 (${keyOf(7)}): all records — the ledger has no line for "commune-7" any more (labels are never removed: a hand-cut or truncated ledger?)`]);
    expect(d.message).toMatch(/^deletion guard: refusing to run/);
    expect(d.message).toContain(`    commune-7 (${keyOf(7)}): all records [not explained: the ledger has no line for "commune-7"`);
    expect(d.message).toMatch(/domaines offboard.*\n.*domaines:allowDeletions true/);
  });

  test("refuses part of a commune's records going while it is still enrolled (a lost DKIM key)", () => {
    const keys = { ...keysFor(hundred) };
    delete keys["commune-5.collectivite.fr"];
    const d = judge(step(hundred, hundred, keys));
    expect(d.allowed).toBe(false);
    expect(d.violations[0]).toContain(`commune-5 (${keyOf(5)}): dkim.TXT — still enrolled in messages`);
  });

  test("lets an offboarding through when the ledger explains it, and says so", () => {
    const d = judge(step(hundred, edit(hundred, "commune-9", withServices())));
    expect(d).toMatchObject({ allowed: true, overridden: false, removedCount: 9, countedDeletions: 9, violations: [] });
    expect(d.message).toMatch(/^deletion guard: deletions explained by the ledger:/);
    expect(d.message).toContain(`commune-9 (${keyOf(9)}): dkim.TXT, dmarc.TXT, mx1.MX, mx2.MX, spf.TXT, tls-rpt.TXT, web-a-1.A, web-aaaa-1.AAAA, www.CNAME [offboarded from messages]`);
  });

  test("tombstones and mergers pass", () => {
    let after = edit(hundred, "commune-1", tombstone);
    after = edit(after, "commune-2", aliasOf(keyOf(3)));
    const d = judge(step(hundred, after));
    expect(d.allowed).toBe(true);
    expect(d.removed.map((r) => [r.label, r.whole, r.explainedBy])).toEqual([
      ["commune-1", true, "tombstone since 2026-02-01"],
      ["commune-2", true, `now an alias of ${keyOf(3)} (merged)`],
    ]);
  });

  test("refuses explained deletions above maxDeletionShare; the share is configuration", () => {
    let after = hundred;
    for (let i = 0; i < 7; i++) after = edit(after, `commune-${i}`, withServices());
    const d = judge(step(hundred, after));
    expect(d.countedDeletions).toBe(63);
    expect(d.violations).toEqual(["63 of 900 records (7.0%) would be deleted, more than domaines:maxDeletionShare = 5.0%"]);
    expect(judge(step(hundred, after), { maxDeletionShare: 0.07 }).allowed).toBe(true);
    let five = hundred;
    for (let i = 0; i < 5; i++) five = edit(five, `commune-${i}`, withServices());
    expect(judge(step(hundred, five)).allowed).toBe(true); // 45 of 900 = 5.0%, not more
  });

  test("a bulk onboarding is no mass deletion: replaced no-mail records do not count", () => {
    const idle = fleet(100, []);
    let after = idle;
    for (let i = 0; i < 30; i++) after = edit(after, `commune-${i}`, withServices("messages"));
    const d = judge(step(idle, after));
    expect(d).toMatchObject({ allowed: true, removedCount: 60, countedDeletions: 0, previousCount: 200 });
  });

  test("refuses more than maxUpdateShare of the records changed in place with no ledger change (every MX target moved)", () => {
    const cfg = config();
    const moved = { ...cfg, dns: { ...cfg.dns!, variables: { ...cfg.dns!.variables, mailDomain: "mail.other.example" } } };
    const d = judge(diff(snapshot(hundred), snapshot(hundred, keysFor(hundred), { cfg: moved }), hundred, { cfg: moved }));
    expect(d.allowed).toBe(false);
    expect(d.unexplainedUpdates).toBe(300);
    expect(d.violations).toHaveLength(1);
    expect(d.violations[0]).toMatch(/^300 of 900 records \(33\.3%\) would change in place with no ledger change to explain it, more than domaines:maxUpdateShare = 5\.0%: commune-0 \(200000000\): mx1\.MX, mx2\.MX, spf\.TXT; commune-1 /);
    expect(d.violations[0]).toMatch(/; … and 80 more$/);
    expect(judge(diff(snapshot(hundred), snapshot(hundred, keysFor(hundred), { cfg: moved }), hundred, { cfg: moved }), { maxUpdateShare: 0.4 }).allowed).toBe(true);
  });

  test("updates a label switch explains do not count toward the update share", () => {
    const two = fleet(2, ["messages"]);
    const reservation = { ...commune(1), label: "commune-1-neuve", state: "reserved", reservedReason: "rename", services: {} } as (typeof two)[number];
    const before = [...two, reservation];
    const after = edit(edit(before, "commune-1", aliasOf(keyOf(1))), "commune-1-neuve", (e) => ({ ...e, state: "allocated", reservedReason: undefined, services: two[1]!.services }) as typeof e);
    const d = judge(step(before, after, keysFor(after), keysFor(before)));
    expect(d.unexplainedUpdates).toBe(0);
    expect(d.allowed).toBe(true);
  });

  test(`shares apply from ${MIN_FOR_SHARE} existing records, as octoDNS's thresholds do`, () => {
    const one = [commune(0, ["fichiers"])]; // 5 records
    expect(judge(step(one, edit(one, "commune-0", withServices())))).toMatchObject({ allowed: true, countedDeletions: 3, previousCount: 5 });
    const two = fleet(2, ["fichiers"]); // 10 records
    expect(judge(step(two, edit(two, "commune-0", withServices())))).toMatchObject({ allowed: false, violations: ["3 of 10 records (30.0%) would be deleted, more than domaines:maxDeletionShare = 5.0%"] });
  });

  test("the explicit override lets a refused run through and keeps the list of what goes", () => {
    const d = judge(step(hundred, edit(hundred, "commune-7", null)), { allowDeletions: true });
    expect(d).toMatchObject({ allowed: true, overridden: true });
    expect(d.message).toMatch(/^deletion guard: OVERRIDDEN by domaines:allowDeletions=true/);
    expect(d.message).toContain("commune-7");
    expect(judge(step(hundred, hundred), { allowDeletions: true })).toMatchObject({ allowed: true, overridden: false });
  });

  test("a zone change is refused once, with the count of what would leave the old zone", () => {
    const cfg = { ...config(), zone: "test.collectivite.fr" };
    const d = judge(diff(snapshot(hundred), snapshot(hundred, {}, { cfg }), hundred, { cfg }));
    expect(d.allowed).toBe(false);
    expect(d.violations[0]).toBe("the zone changed from collectivite.fr to test.collectivite.fr: all 900 records would be deleted from collectivite.fr (ZoneRecord.zone forces a replacement)");
    expect(d.violations.some((v) => v.includes("owner(s) would lose records"))).toBe(false);
  });

  test("shares under 1% are shown with two decimals", () => {
    const d = judge(step(hundred, edit(hundred, "commune-9", withServices())), { maxDeletionShare: 0.005 });
    expect(d.violations).toEqual(["9 of 900 records (1.0%) would be deleted, more than domaines:maxDeletionShare = 0.50%"]);
    expect(judge(step(hundred, edit(hundred, "commune-9", withServices())), { maxDeletionShare: 0 }).violations[0]).toMatch(/maxDeletionShare = 0\.0%$/);
  });

  test("lists stop at 20 in a violation and 50 in the message, then count the rest", () => {
    const cut = (n: number) => hundred.filter((_, i) => i >= n);
    const twenty = judge(step(hundred, cut(20)), { maxDeletionShare: 1 });
    expect(twenty.violations[0]).toMatch(/^20 owner\(s\) would lose records/);
    expect(twenty.violations[0]).not.toContain("… and");
    expect(judge(step(hundred, cut(21)), { maxDeletionShare: 1 }).violations[0]).toMatch(/; … and 1 more$/);
    const fifty = judge(step(hundred, cut(50)), { maxDeletionShare: 1 });
    expect(fifty.message.split("\n").filter((l) => l.startsWith("    commune-"))).toHaveLength(50);
    expect(fifty.message).not.toContain("more owner");
    expect(fifty.message).not.toMatch(/^ {4}… and/m);
    expect(judge(step(hundred, cut(51)), { maxDeletionShare: 1 }).message).toMatch(/^ {4}… and 1 more$/m);
  });

  test("the message has one line per violation and one block per kind of deletion, and no empty block", () => {
    const d = judge(step(hundred, edit(hundred, "commune-7", null)));
    const lines = d.message.split("\n");
    expect(lines.filter((l) => l.startsWith("  - "))).toEqual(d.violations.map((v) => `  - ${v}`));
    expect(lines).toContain("  would delete:");
    expect(lines).not.toContain("  would delete Espace Opérateur subscriptions:");
    expect(lines.find((l) => l.startsWith("    commune-7"))).toBe(`    commune-7 (${keyOf(7)}): all records [not explained: the ledger has no line for "commune-7" any more (labels are never removed: a hand-cut or truncated ledger?)]`);
    const long = judge(step(hundred, hundred.slice(30)), { maxDeletionShare: 1 });
    expect(long.violations[0]!.split("; ")).toHaveLength(21); // 20 owners, then the count of the rest
  });

  test("an update share applies from 10 records; a zone change of an empty stack deletes nothing", () => {
    const two = fleet(2, ["fichiers"]); // 10 records
    const cfg = config();
    const ttl = { ...cfg, dns: { ...cfg.dns!, ttl: 600 } };
    expect(judge(diff(snapshot(two), snapshot(two, keysFor(two), { cfg: ttl }), two, { cfg: ttl })).violations).toEqual([
      "10 of 10 records (100.0%) would change in place with no ledger change to explain it, more than domaines:maxUpdateShare = 5.0%: commune-0 (200000000): null-mx.MX, spf-none.TXT, web-a-1.A, web-aaaa-1.AAAA, www.CNAME; commune-1 (200000001): null-mx.MX, spf-none.TXT, web-a-1.A, web-aaaa-1.AAAA, www.CNAME",
    ]);
    // Nothing deleted, yet refused: the message says so rather than "nothing would be deleted".
    expect(judge(diff(snapshot(two), snapshot(two, keysFor(two), { cfg: ttl }), two, { cfg: ttl })).message).toMatch(/^deletion guard: refusing to run.*\n {2}- 10 of 10 records \(100\.0%\) would change in place/);
    const one = [commune(0, ["fichiers"])];
    expect(judge(diff(snapshot(one), snapshot(one, keysFor(one), { cfg: ttl }), one, { cfg: ttl })).allowed).toBe(true);
    const other = { ...cfg, zone: "test.collectivite.fr" };
    expect(judge(diff(snapshot([]), snapshot(hundred, {}, { cfg: other }), hundred, { cfg: other }))).toMatchObject({ allowed: true, violations: [] });
  });

  test("long lists are cut, with the count of the rest", () => {
    const d = judge(step(hundred, []), { maxDeletionShare: 1 });
    expect(d.removed.length).toBe(100);
    expect(d.message).toMatch(/^ {4}… and 50 more$/m);
    expect(d.violations[0]).toMatch(/^100 owner\(s\) would lose records.*; … and 80 more$/);
  });
});

describe("subscriptions under the guard", () => {
  const sub = (i: number) => ({ commune: keyOf(i), label: `commune-${i}`, service: "messages", operator: "cdg48" });
  const withSubs = (entries: typeof hundred, n: number, skip: number[] = []) => snapshot(entries, keysFor(entries), { subscriptions: Array.from({ length: n }, (_, i) => i).filter((i) => !skip.includes(i)).map(sub) });

  test("refuses deleting the subscription of a commune still enrolled, naming it and why", () => {
    const d = judge(diff(withSubs(hundred, 3), withSubs(hundred, 3, [1]), hundred, { unplaced: new Map([[`${keyOf(1)}/messages`, "the commune is a member of no configured operator (data/operators.json)"]]) }));
    expect(d.allowed).toBe(false);
    expect(d.violations).toEqual([`1 Espace Opérateur subscription(s) would be deleted although the ledger does not explain it: commune-1 (${keyOf(1)}) messages via cdg48 — still enrolled in messages, but the commune is a member of no configured operator (data/operators.json)`]);
    expect(d.message).toContain(`would delete Espace Opérateur subscriptions:\n    commune-1 (${keyOf(1)}) messages [not explained: still enrolled in messages`);
  });

  test("an explained subscription deletion alone is listed, not reported as nothing", () => {
    const keys = keysFor(hundred);
    const d = judge(diff(snapshot(hundred, keys, { subscriptions: [{ ...sub(0), service: "fichiers" }] }), snapshot(hundred, keys, { subscriptions: [] }), hundred));
    expect(d).toMatchObject({ allowed: true, removed: [], violations: [] });
    expect(d.message).toBe(`deletion guard: deletions explained by the ledger:\n  would delete Espace Opérateur subscriptions:\n    commune-0 (${keyOf(0)}) fichiers [offboarded from fichiers]`);
  });

  test("refuses mass subscription deletion even when explained; allows it at the threshold", () => {
    let after = hundred;
    for (const i of [0, 1]) after = edit(after, `commune-${i}`, withServices("fichiers"));
    // 2 of 20 = 10% > 5%; the records' own share stays under it (12 of 900).
    const mass = judge(diff(withSubs(hundred, 20), withSubs(after, 20, [0, 1]), after));
    expect(mass.violations).toEqual(["2 of 20 Espace Opérateur subscriptions (10.0%) would be deleted, more than domaines:maxDeletionShare = 5.0%"]);
    expect(mass.message).toContain("commune-0 (200000000) messages [offboarded from messages]");
    const one = edit(hundred, "commune-0", withServices("fichiers"));
    expect(judge(diff(withSubs(hundred, 20), withSubs(one, 20, [0]), one)).allowed).toBe(true); // 1 of 20 = 5%
    expect(judge(diff(withSubs(hundred, 9), withSubs(after, 9, [0, 1]), after)).allowed).toBe(true); // under 10 subscriptions: no share
    expect(judge(diff(withSubs(hundred, 10), withSubs(one, 10, [0]), one)).violations).toEqual(["1 of 10 Espace Opérateur subscriptions (10.0%) would be deleted, more than domaines:maxDeletionShare = 5.0%"]);
  });

  test("more than 50 subscriptions going: the message lists 50 and counts the rest", () => {
    let after = hundred;
    for (let i = 0; i < 51; i++) after = edit(after, `commune-${i}`, withServices("fichiers"));
    const d = judge(diff(withSubs(hundred, 60), withSubs(after, 60, Array.from({ length: 51 }, (_, i) => i)), after), { maxDeletionShare: 1 });
    expect(d.allowed).toBe(true);
    const lines = d.message.split("\n");
    const from = lines.indexOf("  would delete Espace Opérateur subscriptions:");
    expect(lines.slice(from + 1).filter((l) => / messages \[offboarded from messages\]$/.test(l))).toHaveLength(50);
    expect(lines.at(-1)).toBe("    … and 1 more");
  });
});

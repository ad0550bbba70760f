import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import type { SnapshotOwner, SnapshotRecord } from "../../src/records/applied.js";
import type { RecordSet } from "../../src/records/catalog-schema.js";
import { Transitions } from "../../src/records/transitions.js";
import { entry } from "./fixtures.js";

/**
 * Each verdict of the ledger transitions the deletion guard relies on, one rule at a time:
 * the branch that explains a deletion and its neighbour that must not (a commune still
 * enrolled, a tombstone that was already one, a no-mail pair whose MX is elsewhere).
 */
const AT = "2026-03-01T10:00:00.000Z";
const sets = { messages: { when: { enrolledIn: "messages" }, records: [] }, web: { when: "active", records: [] } } as unknown as Record<string, RecordSet>;
const rec = (set: string, extra: Partial<SnapshotRecord> = {}): SnapshotRecord => ({ purpose: "p", set, name: "alpha", type: "TXT", ttl: 3600, value: "x", ...extra });
const owner = (extra: Partial<SnapshotOwner> = {}): SnapshotOwner => ({ owner: "200000001", holder: { kind: "commune", key: "200000001" }, label: "alpha", key: "200000001", state: "allocated", departement: "48", services: ["messages"], records: [], ...extra });
const judge = (ledger: LedgerEntry[]) => new Transitions(ledger, sets);
const alpha = (extra: Partial<LedgerEntry> = {}) => entry({ label: "alpha", state: "allocated", key: "200000001", departement: "48", ...extra });

describe("an owner gone", () => {
  it("a tombstone, with its date when the ledger has one", () => {
    expect(judge([alpha({ state: "tombstone", tombstonedAt: AT })]).ownerGone(owner())).toEqual({ explainedBy: "tombstone since 2026-03-01", why: null });
    expect(judge([alpha({ state: "tombstone" })]).ownerGone(owner())).toEqual({ explainedBy: "tombstone", why: null });
  });
  it("an alias of an unnamed commune, a reserved label without a reason", () => {
    expect(judge([alpha({ state: "alias" })]).ownerGone(owner())).toEqual({ explainedBy: "now an alias of another commune (merged)", why: null });
    expect(judge([alpha({ state: "reserved" })]).ownerGone(owner())).toEqual({ explainedBy: null, why: "its label is now reserved (reserved), which no ledger rule does to a label that had records" });
  });
});

describe("one record gone from an owner still published", () => {
  it("zone-level sets, or any record of the zone owner, are never explained", () => {
    const why = { explainedBy: null, why: "zone-level records are never deleted by a ledger change" };
    const t = judge([alpha()]);
    expect(t.recordGone(owner(), owner({ services: [] }), rec("zone"))).toEqual(why);
    expect(t.recordGone(owner(), owner({ services: [] }), rec("authority"))).toEqual(why);
    const zone = owner({ owner: "zone", holder: { kind: "zone" }, label: "@", key: null, state: "zone", services: [] });
    expect(t.recordGone(zone, zone, rec("web"))).toEqual(why);
  });

  it("a tombstone explains it once: a label already a tombstone explains nothing more", () => {
    const t = judge([alpha({ state: "tombstone", tombstonedAt: AT })]);
    expect(t.recordGone(owner(), owner({ state: "tombstone", services: [] }), rec("messages"))).toEqual({ explainedBy: "tombstone since 2026-03-01", why: null });
    expect(t.recordGone(owner({ state: "tombstone", services: [] }), owner({ state: "tombstone", services: [] }), rec("messages"))).toEqual({ explainedBy: null, why: "a messages record of a label that was not enrolled in messages" });
    // No date without a ledger line, or without tombstonedAt.
    expect(judge([]).recordGone(owner(), owner({ state: "tombstone", services: [] }), rec("messages")).explainedBy).toBe("tombstone");
    expect(judge([alpha({ state: "tombstone" })]).recordGone(owner(), owner({ state: "tombstone", services: [] }), rec("messages")).explainedBy).toBe("tombstone");
  });

  it("the no-mail pair goes only for an MX of the label itself", () => {
    const t = judge([alpha()]);
    const elsewhere = owner({ records: [rec("messages", { name: "mail.alpha", type: "MX", value: "10 mx1.example.net." })] });
    expect(t.recordGone(owner({ services: [] }), elsewhere, rec("no-mail"))).toEqual({ explainedBy: null, why: "its no-mail records go although it receives no mail" });
    const receives = owner({ records: [rec("messages", { type: "MX", value: "10 mx1.example.net." })] });
    expect(t.recordGone(owner({ services: [] }), receives, rec("no-mail"))).toEqual({ explainedBy: "enrolled in messages: its mail records replace the no-mail ones", why: null });
  });

  it("a set for active labels: offboarding explains it, still enrolled or never enrolled does not", () => {
    const t = judge([alpha()]);
    expect(t.recordGone(owner({ services: ["fichiers", "messages"] }), owner({ services: [] }), rec("web"))).toEqual({ explainedBy: "offboarded from fichiers, messages", why: null });
    expect(t.recordGone(owner({ services: [] }), owner({ services: [] }), rec("web"))).toEqual({ explainedBy: null, why: "it had no service at the last run either" });
    expect(t.recordGone(owner(), owner({ services: ["fichiers", "messages"] }), rec("web"))).toEqual({ explainedBy: null, why: "still enrolled in fichiers, messages" });
  });

  it("a service's set: offboarded from it explains, never enrolled in it does not", () => {
    const t = judge([alpha()]);
    expect(t.recordGone(owner(), owner({ services: ["fichiers"] }), rec("messages"))).toEqual({ explainedBy: "offboarded from messages", why: null });
    expect(t.recordGone(owner({ services: ["fichiers"] }), owner({ services: ["fichiers"] }), rec("messages"))).toEqual({ explainedBy: null, why: "a messages record of a label that was not enrolled in messages" });
  });
});

describe("a subscription gone, its commune holding no primary label any more", () => {
  const sub = { commune: "200000001", label: "alpha", service: "messages", operator: "cdg48" };
  it("a tombstone (dated or not), an alias of an unnamed commune", () => {
    expect(judge([alpha({ state: "tombstone", tombstonedAt: AT })]).subscriptionGone(sub, undefined)).toEqual({ explainedBy: "tombstone since 2026-03-01", why: null });
    expect(judge([alpha({ state: "tombstone" })]).subscriptionGone(sub, undefined)).toEqual({ explainedBy: "tombstone", why: null });
    expect(judge([alpha({ state: "alias" })]).subscriptionGone(sub, undefined)).toEqual({ explainedBy: "merged: its label is now an alias of another commune, whose own subscription carries the service", why: null });
  });
});

import { describe, expect, it } from "vitest";
import { canonicalEntry, parseTrustedLedger, serializeEntry, serializeLedger } from "../../src/ledger/codec.js";
import { ledgerEntrySchema, type LedgerEntry } from "../../src/ledger/schema.js";

/**
 * The canonical text of an entry is built by hand for speed: it must be exactly
 * JSON.stringify(canonicalEntry(entry)), and the trusted reader must give back what the
 * schema would, for every field and default.
 */
const AT = "2026-01-15T10:00:00.000Z";
const samples: LedgerEntry[] = [
  { label: "mende", state: "allocated", key: "214800955", name: "Mende", departement: "48", inseeHistory: [{ insee: "48095", since: AT }], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: false, grandfathered: false, services: {} },
  { label: "echo", state: "alias", key: "200000005", aliasOf: "200000005", name: "Écho \"quoted\" \\ back", departement: "48", inseeHistory: [], nameHistory: [{ name: "Écho-sur-Mer", since: AT }], allocatedAt: AT, updatedAt: AT, legacy: true, grandfathered: true, services: {} },
  { label: "saint-denis", state: "reserved", key: null, reservedReason: "homonym-group", inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: false, grandfathered: false, services: {} },
  { label: "vieux", state: "tombstone", key: "200000007", tombstonedAt: AT, inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: false, grandfathered: false, services: {} },
  { label: "marvejols", state: "allocated", key: "214800922", inheritedFrom: "200000001", name: "Marvejols", departement: "48", inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: false, grandfathered: false, services: { messages: { enrolledAt: AT, quotas: { mailbox: 5_000_000_000, organization: "unlimited" } }, fichiers: { enrolledAt: AT, quotas: {} } } },
].map((e) => ledgerEntrySchema.parse(e));

describe("the ledger's canonical text", () => {
  it("is JSON.stringify of the canonical object, field for field", () => {
    for (const e of samples) expect(serializeEntry(e), e.label).toBe(JSON.stringify(canonicalEntry(e)));
  });
  it("reads back, through the trusted reader, as the schema parses it", () => {
    const { entries } = parseTrustedLedger(serializeLedger(samples));
    const byLabel = new Map(entries.map((e) => [e.label, e]));
    for (const e of samples) expect(byLabel.get(e.label), e.label).toEqual(ledgerEntrySchema.parse(JSON.parse(serializeEntry(e))));
  });
  it("does not depend on the order of services, quotas or enrolment fields (a request's order, PostgreSQL's jsonb)", () => {
    const a = samples.find((e) => e.label === "marvejols")!;
    const shuffled: LedgerEntry = {
      ...a,
      services: {
        fichiers: { quotas: {}, enrolledAt: AT },
        messages: { quotas: { organization: "unlimited", mailbox: 5_000_000_000 }, enrolledAt: AT, direct: true },
      },
    };
    const ordered: LedgerEntry = { ...a, services: { messages: { enrolledAt: AT, direct: true, quotas: { mailbox: 5_000_000_000, organization: "unlimited" } }, fichiers: { enrolledAt: AT, quotas: {} } } };
    expect(serializeEntry(shuffled)).toBe(serializeEntry(ordered));
    expect(serializeEntry(shuffled)).toContain('"services":{"fichiers":{"enrolledAt":"2026-01-15T10:00:00.000Z","quotas":{}},"messages":{"enrolledAt":"2026-01-15T10:00:00.000Z","quotas":{"mailbox":5000000000,"organization":"unlimited"},"direct":true}}');
    expect(JSON.stringify(canonicalEntry(shuffled))).toBe(serializeEntry(ordered));
  });
});

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
  { label: "uilly", state: "allocated", key: "210205423", name: "Œuilly", departement: "02", inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: true, grandfathered: false, services: {}, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ds: ["2371 13 2 1F987CC6583E92DF0890718C42E1A1DF1E7D2A4A"], ttl: 3600, since: AT } },
  { label: "bonnil", state: "allocated", key: "211400874", name: "Bonnœil", departement: "14", inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: true, grandfathered: false, services: {}, undelegatedAt: AT, adopted: [{ purpose: "adopted-apex-mx-1", name: "", type: "MX", ttl: 600, value: "10 mx.ox.numerique.gouv.fr." }] },
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
  it("does not depend on the field order of a delegation or an adopted record either", () => {
    const u = samples.find((e) => e.label === "uilly")!;
    const b = samples.find((e) => e.label === "bonnil")!;
    const reordered: LedgerEntry = { ...u, delegation: { since: AT, ttl: 3600, ds: u.delegation!.ds!, nameservers: u.delegation!.nameservers } };
    expect(serializeEntry(reordered)).toBe(serializeEntry(u));
    expect(serializeEntry(u)).toContain('"delegation":{"nameservers":["ns0.dom.scw.cloud","ns1.dom.scw.cloud"],"ds":["2371 13 2 1F987CC6583E92DF0890718C42E1A1DF1E7D2A4A"],"ttl":3600,"since":"2026-01-15T10:00:00.000Z"}');
    const adopted: LedgerEntry = { ...b, adopted: [{ value: "10 mx.ox.numerique.gouv.fr.", ttl: 600, type: "MX", name: "", purpose: "adopted-apex-mx-1" }] };
    expect(serializeEntry(adopted)).toBe(serializeEntry(b));
    expect(JSON.stringify(canonicalEntry(adopted))).toBe(serializeEntry(b));
  });
});

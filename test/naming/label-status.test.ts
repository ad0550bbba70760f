import { describe, expect, it } from "vitest";
import { indexLedger } from "../../src/ledger/entries.js";
import { decideLabelStatus, labelState, labelStatusSentence, type CommuneRef, type LabelRuleFacts } from "../../src/ledger/state.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";

const T = "2026-01-01T00:00:00.000Z";
const entry = (fields: Partial<LedgerEntry> & Pick<LedgerEntry, "label" | "state">): LedgerEntry => ({ key: null, inseeHistory: [], nameHistory: [], allocatedAt: T, updatedAt: T, legacy: false, grandfathered: false, services: {}, ...fields });
const mende: CommuneRef = { key: "214800955", name: "Mende", departement: "48", insee: "48095", siren: "214800955", label: "mende" };
const ref = (key: string): CommuneRef | null => (key === mende.key ? mende : null);
const noRule: LabelRuleFacts = { problem: null, homonymGroupSlug: false, computedFor: null };
const decide = (entries: LedgerEntry[], label: string, rules: LabelRuleFacts = noRule) => decideLabelStatus(labelState(indexLedger(entries), label), rules, ref);

describe("decideLabelStatus: the ledger's word first, then the naming rules", () => {
  it("a label the ledger holds is in the ledger's state, whatever the rules say of it", () => {
    const held = decide([entry({ label: "saint-denis", state: "allocated", key: mende.key, legacy: true })], "saint-denis", { problem: null, homonymGroupSlug: true, computedFor: null });
    expect(held).toMatchObject({ state: "allocated", holder: mende, legacy: true });
    expect(labelStatusSentence(held, "collectivite.fr")).toBe("saint-denis.collectivite.fr is allocated to Mende (48, INSEE 48095) since 2026-01-01 (legacy label).");
    expect(decide([entry({ label: "old", state: "alias", key: "200000001", aliasOf: mende.key, name: "Old" })], "old")).toMatchObject({ state: "alias", of: mende, formerHolder: "Old", renamed: false });
    expect(decide([entry({ label: "gone", state: "tombstone", key: "200000002", name: "Gone", tombstonedAt: T })], "gone")).toMatchObject({ state: "tombstone", formerHolder: "Gone", since: T });
    expect(decide([entry({ label: "new-name", state: "reserved", reservedReason: "rename", key: mende.key })], "new-name")).toMatchObject({ state: "reserved", reason: "rename", for: mende, inLedger: true });
  });
  it("a label the ledger does not hold: reserved list, invalid, homonym slug, a commune's future label, or free", () => {
    expect(decide([], "www", { ...noRule, problem: { rule: "reserved", message: '"www" is on the reserved list' } })).toMatchObject({ state: "reserved", reason: "reserved-list", inLedger: false });
    expect(decide([], "a--b", { ...noRule, problem: { rule: "hyphen-34", message: "bad" } })).toEqual({ state: "invalid", label: "a--b", problem: "bad" });
    expect(decide([], "saint-denis", { ...noRule, homonymGroupSlug: true })).toMatchObject({ state: "reserved", reason: "homonym-group", inLedger: false });
    const future = decide([], "mende", { ...noRule, computedFor: mende });
    expect(future).toEqual({ state: "free", label: "mende", computedFor: mende });
    expect(labelStatusSentence(future, "collectivite.fr")).toBe("mende.collectivite.fr is free: no commune holds it yet; it is the label Mende (48, INSEE 48095) will get when allocated.");
    expect(labelStatusSentence(decide([], "zzz"), "collectivite.fr")).toBe("zzz.collectivite.fr is free: no commune holds it, and no current commune's name gives it.");
  });
});

import { describe, expect, it } from "vitest";
import type { Commune } from "../../src/communes/schema.js";
import { chooseLabel, planAllocation } from "../../src/ledger/allocation.js";
import { parseLedgerText, serializeLedger } from "../../src/ledger/codec.js";
import { homonymReservation, newAllocatedEntry } from "../../src/ledger/entries.js";
import { ledgerProblems, transitionProblem } from "../../src/ledger/invariants.js";
import { ledgerDir } from "../../src/ledger/store.js";
import { computeLabels } from "../../src/naming/labels.js";

const NOW = "2026-01-01T00:00:00.000Z";
const c = (key: string, insee: string, name: string, departement: string): Commune => ({ key, siren: key, insee, name, departement, region: null, population: null, postalCodes: [] });
const reserved = new Set(["www", "mail"]);

describe("transitions a label may make", () => {
  const held = newAllocatedEntry(c("200000001", "48001", "Alpha", "48"), "alpha", NOW);
  it("never deleted, never revived, never passed except to the recorded successor", () => {
    expect(transitionProblem(held, null)).toMatch(/would be deleted/);
    const tomb = { ...held, state: "tombstone" as const, tombstonedAt: NOW };
    expect(transitionProblem(tomb, held)).toMatch(/tombstones are never reused/);
    expect(transitionProblem(held, { ...held, key: "200000002" })).toMatch(/passes only to its holder's legal successor/);
    expect(transitionProblem(held, { ...held, key: "200000002", inheritedFrom: "200000001" })).toBeNull();
    const group = homonymReservation("india", NOW);
    expect(transitionProblem(group, { ...group, state: "allocated" })).toMatch(/reserved slug of a homonym group/);
  });
});

describe("choosing a label against the ledger", () => {
  const communes = [c("200000001", "48001", "Alpha", "48"), c("200000002", "48002", "India", "48"), c("200000003", "12002", "India", "12")];
  const labels = computeLabels(communes, { reserved });
  it("falls back to <slug>-<dep>, then <slug>-<dep>-<insee>, when the ledger holds the computed label in any state", () => {
    expect(chooseLabel(communes[0]!, labels.get("200000001")!, new Set(), reserved)).toEqual({ label: "alpha", reason: "unique" });
    expect(chooseLabel(communes[0]!, labels.get("200000001")!, new Set(["alpha"]), reserved)).toEqual({ label: "alpha-48", reason: "taken-in-ledger" });
    expect(chooseLabel(communes[0]!, labels.get("200000001")!, new Set(["alpha", "alpha-48"]), reserved)).toEqual({ label: "alpha-48-48001", reason: "taken-in-ledger" });
    expect(chooseLabel(communes[1]!, labels.get("200000002")!, new Set(["india-48"]), reserved)).toEqual({ label: "india-48-48002", reason: "taken-in-ledger" });
    expect(chooseLabel(communes[0]!, labels.get("200000001")!, new Set(["alpha", "alpha-48", "alpha-48-48001"]), reserved)).toHaveProperty("problem");
  });
  it("reserves a homonym group's bare slug once, at the first member's allocation", () => {
    const first = planAllocation([], [communes[1]!], labels, reserved, NOW);
    expect(first.put.map((e) => [e.label, e.state])).toEqual([["india-48", "allocated"], ["india", "reserved"]]);
    const second = planAllocation(first.put, [communes[2]!, communes[1]!], labels, reserved, NOW);
    expect(second.put.map((e) => e.label)).toEqual(["india-12"]);
    expect(second.results.map((r) => r.status)).toEqual(["allocated", "existing"]);
    expect(ledgerProblems([...first.put, ...second.put], reserved)).toEqual([]);
  });
});

describe("ledger text", () => {
  it("round-trips in canonical form, sorted by label, default fields left out", () => {
    const a = newAllocatedEntry(c("200000001", "48001", "Alpha", "48"), "alpha", NOW);
    const text = serializeLedger([homonymReservation("india", NOW), a]);
    expect(text.split("\n")[0]).toBe('{"label":"alpha","state":"allocated","key":"200000001","name":"Alpha","departement":"48","inseeHistory":[{"insee":"48001","since":"2026-01-01T00:00:00.000Z"}],"allocatedAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}');
    expect(serializeLedger(parseLedgerText(text, "x").map((n) => n.entry))).toBe(text);
  });
  it("resolves the directory from --ledger, then DOMAINES_LEDGER, then data/ledger", () => {
    const saved = process.env.DOMAINES_LEDGER;
    try {
      process.env.DOMAINES_LEDGER = "/tmp/from-env";
      expect(ledgerDir("/tmp/explicit")).toBe("/tmp/explicit");
      expect(ledgerDir({ string: () => undefined })).toBe("/tmp/from-env");
      delete process.env.DOMAINES_LEDGER;
      expect(ledgerDir()).toMatch(/data\/ledger$/);
    } finally {
      if (saved === undefined) delete process.env.DOMAINES_LEDGER;
      else process.env.DOMAINES_LEDGER = saved;
    }
  });
});

import { describe, expect, it } from "vitest";
import type { Commune } from "../../src/communes/schema.js";
import { homonymReservation, newAllocatedEntry, renameReservation } from "../../src/ledger/entries.js";
import { ledgerProblems, transitionProblem } from "../../src/ledger/invariants.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";

/**
 * The ledger's invariants, one broken at a time: every write and `validate` refuse a
 * ledger that breaks one, so each message is asserted exactly (it is what an operator
 * reads to repair the file) and each rule is shown to pass on its legal neighbour.
 */
const NOW = "2026-01-01T00:00:00.000Z";
const c = (key: string, insee: string, name: string): Commune => ({ key, siren: key, insee, name, departement: "48", region: null, population: null, postalCodes: [] });
const reserved = new Set(["www"]);
const alpha = newAllocatedEntry(c("214800001", "48001", "Alpha"), "alpha", NOW);
const beta = newAllocatedEntry(c("214800002", "48002", "Beta"), "beta", NOW);
const messages = (quotas: Record<string, number> = {}) => ({ messages: { enrolledAt: NOW, quotas } });
/** The messages of `ledgerProblems` on `alpha`, `beta` and `extra`. */
const problemsWith = (...extra: LedgerEntry[]) => ledgerProblems([alpha, beta, ...extra], reserved).map((p) => p.message);

describe("ledger invariants", () => {
  it("a coherent ledger of every state has none", () => {
    const entries: LedgerEntry[] = [
      { ...alpha, services: messages({ mailbox: 5_000_000_000, organization: 50_000_000_000 }) },
      beta,
      { ...alpha, label: "alpha-old", state: "alias", aliasOf: "214800001", services: {} },
      { ...alpha, label: "gamma", state: "tombstone", key: "214800003", tombstonedAt: NOW },
      renameReservation(c("214800002", "48002", "Beta"), "beta-neuve", NOW),
      homonymReservation("india", NOW),
      { ...beta, label: "delta", key: "214800004", inheritedFrom: "214800009" },
    ];
    expect(ledgerProblems(entries, reserved)).toEqual([]);
  });

  it("one allocated label per commune, naming the other label (and lines when read from a file)", () => {
    const twice = { ...alpha, label: "alpha-bis" };
    expect(ledgerProblems([alpha, beta, twice], reserved)).toEqual([{ label: "alpha-bis", line: undefined, message: 'key 214800001 already holds the allocated label "alpha"; a commune has one primary label' }]);
    expect(ledgerProblems([alpha, beta, twice], reserved, [3, 7, 9])).toEqual([{ label: "alpha-bis", line: 9, message: 'key 214800001 already holds the allocated label "alpha" (line 3); a commune has one primary label' }]);
    // Other states of the same key are not primary labels.
    expect(problemsWith({ ...alpha, label: "alpha-old", state: "alias", aliasOf: "214800002" })).toEqual([]);
  });

  it("labels must be valid DNS labels, off the reserved list", () => {
    expect(ledgerProblems([alpha, { ...beta, label: "www" }], reserved, [1, 2])).toEqual([{ label: "www", line: 2, message: 'label "www": "www" is on the reserved list (data/reserved-labels.txt)' }]);
    expect(problemsWith({ ...beta, label: "x--y", key: "214800005" })).toEqual([]);
    expect(problemsWith({ ...beta, label: "ab--cd", key: "214800005" })).toEqual(['label "ab--cd": "ab--cd" has "--" in positions 3-4, reserved by RFC 5891 for encoded labels']);
  });

  it("only a homonym group's slug has no key, and it has none", () => {
    expect(problemsWith({ ...beta, label: "nobody", key: null })).toEqual(['label "nobody": only a homonym group\'s reserved slug may have no key']);
    expect(problemsWith({ ...homonymReservation("india", NOW), reservedReason: "rename" })).toEqual(['label "india": only a homonym group\'s reserved slug may have no key', 'label "india": reserved for the rename of nobody, which holds no allocated label']);
    // Two keyless allocated labels are two broken entries, not one commune holding two labels.
    expect(problemsWith({ ...beta, label: "x1", key: null }, { ...beta, label: "x2", key: null })).toEqual(['label "x1": only a homonym group\'s reserved slug may have no key', 'label "x2": only a homonym group\'s reserved slug may have no key']);
    // The exemption needs the reserved state, not only the reason.
    expect(problemsWith({ ...beta, label: "x1", key: null, reservedReason: "homonym-group" })).toEqual(['label "x1": only a homonym group\'s reserved slug may have no key', 'label "x1": reservedReason is set but the state is allocated']);
    expect(problemsWith({ ...homonymReservation("india", NOW), key: "214800001" })).toEqual(['label "india": a homonym group\'s slug is reserved for nobody (key must be null)']);
  });

  it("each state's own fields only in that state", () => {
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", aliasOf: "214800001" })).toEqual(['label "b2": aliasOf is set but the state is allocated']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", reservedReason: "rename" })).toEqual(['label "b2": reservedReason is set but the state is allocated']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", tombstonedAt: NOW })).toEqual(['label "b2": tombstonedAt is set but the state is allocated']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", state: "tombstone" })).toEqual(['label "b2": a tombstone needs tombstonedAt']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", state: "tombstone", tombstonedAt: NOW, inheritedFrom: "214800001" })).toEqual(['label "b2": inheritedFrom is set but the state is tombstone']);
    expect(problemsWith({ ...beta, label: "b2", state: "tombstone", tombstonedAt: NOW, services: messages() })).toEqual(['label "b2": services are enrolled on a label in state tombstone; enrolment belongs on the commune\'s allocated label']);
  });

  it("aliases and rename reservations point to a commune holding an allocated label", () => {
    expect(problemsWith({ ...beta, label: "b2", state: "alias" })).toEqual(['label "b2": an alias needs aliasOf (the key mail goes to)']);
    expect(problemsWith({ ...beta, label: "b2", state: "alias", aliasOf: "214800009" })).toEqual(['label "b2": alias of 214800009, which holds no allocated label (aliases must point to a live commune)']);
    expect(problemsWith({ ...beta, label: "b2", state: "reserved" })).toEqual(['label "b2": a reserved label needs reservedReason']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800009", state: "reserved", reservedReason: "rename" })).toEqual(['label "b2": reserved for the rename of 214800009, which holds no allocated label']);
  });

  it("services: known names and account types only", () => {
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", services: messages({ seat: 1 }) })).toEqual(['label "b2": service messages has no account type "seat" (account types: mailbox, organization)']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", services: { visio: { enrolledAt: NOW, quotas: {} } } })).toEqual(['label "b2": unknown service "visio" (services: messages, fichiers)']);
    expect(problemsWith({ ...beta, label: "b2", key: "214800005", services: { visio: { enrolledAt: NOW, quotas: { user: 1 } } } })).toEqual(['label "b2": unknown service "visio" (services: messages, fichiers)', 'label "b2": unknown service "visio" (services: messages, fichiers)']);
  });

  it("every problem of an entry is listed, with its line", () => {
    const bad: LedgerEntry = { ...beta, label: "b2", key: "214800005", state: "reserved", aliasOf: "214800001", inheritedFrom: "214800001", services: messages() };
    expect(ledgerProblems([alpha, bad], reserved, [4, 5])).toEqual(
      ['aliasOf is set but the state is reserved', "inheritedFrom is set but the state is reserved", "services are enrolled on a label in state reserved; enrolment belongs on the commune's allocated label", "a reserved label needs reservedReason"].map((m) => ({ label: "b2", line: 5, message: `label "b2": ${m}` })),
    );
  });
});

describe("transitions a label may make (exact wording)", () => {
  it("names the label, the holders and the rule", () => {
    expect(transitionProblem(null, alpha)).toBeNull();
    expect(transitionProblem(alpha, alpha)).toBeNull();
    expect(transitionProblem(alpha, null)).toBe('label "alpha" would be deleted; labels are kept forever (tombstone instead)');
    const tomb: LedgerEntry = { ...alpha, state: "tombstone", tombstonedAt: NOW };
    expect(transitionProblem(tomb, alpha)).toBe('label "alpha" is a tombstone since 2026-01-01T00:00:00.000Z; tombstones are never reused');
    expect(transitionProblem(tomb, tomb)).toBeNull();
    expect(transitionProblem(alpha, { ...alpha, key: "214800002" })).toBe('label "alpha" would pass from 214800001 to 214800002; a label passes only to its holder\'s legal successor');
    const group = homonymReservation("india", NOW);
    expect(transitionProblem(group, { ...group, key: "214800002", state: "allocated" })).toBe('label "india" would pass from nobody to 214800002; a label passes only to its holder\'s legal successor');
    expect(transitionProblem({ ...alpha, state: "reserved", reservedReason: "rename" }, { ...alpha, key: null, state: "reserved", reservedReason: "homonym-group" })).toBe('label "alpha" would pass from 214800001 to nobody; a label passes only to its holder\'s legal successor');
    // The successor must hold it allocated, and be the one recorded.
    expect(transitionProblem(alpha, { ...alpha, key: "214800002", state: "alias", inheritedFrom: "214800001" })).toMatch(/would pass from 214800001 to 214800002/);
    expect(transitionProblem(alpha, { ...alpha, key: "214800002", inheritedFrom: "214800003" })).toMatch(/would pass from 214800001 to 214800002/);
    expect(transitionProblem(group, { ...group, state: "allocated" })).toBe('label "india" is the reserved slug of a homonym group; it is never allocated');
    expect(transitionProblem(group, { ...group, state: "tombstone", tombstonedAt: NOW })).toBe('label "india" is the reserved slug of a homonym group; it is never allocated');
    expect(transitionProblem(group, group)).toBeNull();
    // The homonym rule is about the reserved state: a reason left on another state does not trigger it.
    expect(transitionProblem({ ...alpha, reservedReason: "homonym-group" }, alpha)).toBeNull();
    const rename = { ...alpha, state: "reserved" as const, reservedReason: "rename" as const };
    expect(transitionProblem(rename, alpha)).toBeNull();
  });
});

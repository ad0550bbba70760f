import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { feeCommunes } from "../../src/operations/services.js";
import { loadEpcis } from "../../src/services/epci.js";
import { partnershipFee, type FeeCommune } from "../../src/services/fee.js";
import { buildMembership } from "../../src/services/membership.js";
import { loadPrices, pricesFor } from "../../src/services/prices.js";
import { Workspace } from "../../src/workspace.js";
import { operatorsFile, operatorsJson, tempDir, writeJson } from "./fixtures.js";

/**
 * The partnership fee on the real COG 2026 and the real EPCI list, figures computed by
 * hand: 0.02 € per inhabitant of each covered commune above 3,500 that is a member
 * directly or through an EPCI of at least 15,000 inhabitants, once, capped at 15,000 €.
 */
const prices = pricesFor(loadPrices(), 2026);
const lozere = loadCommunes().communes.filter((c) => c.departement === "48");
const lozereEpcis = [...loadEpcis().bySiren.values()].filter((e) => e.members.some((m) => m.insee.startsWith("48")));

let dir: string;
beforeAll(() => {
  dir = tempDir("fee");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function feeOf(op: { members?: string[]; epcis?: string[] }) {
  const file = writeJson(dir, `ops-${Math.random().toString(36).slice(2)}.json`, operatorsJson("https://eo.example/api/v1.0/", "https://m.example/api/v1.0/", [{ name: "s", title: "S", siren: null, espaceOperateurId: "op-s", ...op }]));
  const ws = new Workspace({ operatorsFile: file });
  const warnings: string[] = [];
  const { members } = feeCommunes(ws, ws.operators().operators[0]!, warnings);
  expect(warnings).toEqual([]);
  return partnershipFee(members, prices);
}

describe("partnership fee with intercommunalités (Annexe 2, art. 1)", () => {
  it("all 152 Lozère communes as direct members: Mende, Marvejols and Saint-Chély-d'Apcher count, 21,183 inhabitants → 423.66 €", () => {
    expect(lozere).toHaveLength(152);
    const fee = feeOf({ members: lozere.map((c) => c.key) });
    expect(fee.members).toHaveLength(152);
    expect(fee.members.filter((l) => l.counted).map((l) => [l.name, l.population, l.cents, l.reach])).toEqual([
      ["Marvejols", 4_764, 9_528, "member"],
      ["Mende", 12_464, 24_928, "member"],
      ["Saint-Chély-d'Apcher", 3_955, 7_910, "member"],
    ]);
    expect(fee).toMatchObject({ countedPopulation: 21_183, uncappedCents: 42_366, capped: false, cents: 42_366 });
    expect(fee.members.find((l) => l.name === "Langogne")!.reason).toBe("exempt: 2,836 inhabitants, not above 3,500 (member directly)");
  });

  it("the 11 EPCIs with a Lozère commune as members instead: only those of 15,000 or more bring their communes (Mende 249.28 € + Millau 440.88 € = 690.16 €)", () => {
    expect(lozereEpcis).toHaveLength(11);
    const fee = feeOf({ epcis: lozereEpcis.map((e) => e.siren) });
    expect(fee.members).toHaveLength(lozereEpcis.reduce((n, e) => n + e.members.length, 0));
    expect(fee.members.filter((l) => l.counted).map((l) => [l.name, l.population, l.cents, l.epci!.name, l.basis])).toEqual([
      ["Millau", 22_044, 44_088, "CC de Millau Grands Causses", "epci"],
      ["Mende", 12_464, 24_928, "CC Coeur de Lozère", "epci"],
    ]);
    // Marvejols (4,764) is above 3,500, but its EPCI has 9,658 inhabitants: it brings nothing.
    const marvejols = fee.members.find((l) => l.name === "Marvejols")!;
    expect(marvejols).toMatchObject({ counted: false, basis: "exempt-epci", cents: 0, reach: "epci" });
    expect(marvejols.reason).toBe("exempt: reached only through CC du Gévaudan (9,658 inhabitants, under 15,000)");
    expect(fee.members.find((l) => l.name === "Mende")!.reason).toBe("counted: 12,464 inhabitants, above 3,500, member through CC Coeur de Lozère (15,635 inhabitants, at least 15,000)");
    expect(fee).toMatchObject({ countedPopulation: 34_508, uncappedCents: 69_016, cents: 69_016 });
  });

  it("an EPCI under 15,000 brings nothing, but its commune listed directly counts", () => {
    expect(feeOf({ epcis: ["244800470"] })).toMatchObject({ countedPopulation: 0, cents: 0 });
    const both = feeOf({ members: ["214800922"], epcis: ["244800470"] });
    const marvejols = both.members.find((l) => l.name === "Marvejols")!;
    expect(marvejols).toMatchObject({ counted: true, reach: "member+epci", basis: "member", cents: 9_528 });
    expect(both).toMatchObject({ countedPopulation: 4_764, cents: 9_528 });
  });

  it("a commune reached both ways (Mende, directly and through CC Coeur de Lozère) counts once", () => {
    const fee = feeOf({ members: ["214800955"], epcis: ["244800405"] });
    const mende = fee.members.filter((l) => l.key === "214800955");
    expect(mende).toHaveLength(1);
    expect(mende[0]).toMatchObject({ reach: "member+epci", counted: true, cents: 24_928 });
    expect(mende[0]!.reason).toBe("counted: 12,464 inhabitants, above 3,500, member directly (also through CC Coeur de Lozère: counted once)");
    expect(fee.members).toHaveLength(7); // the EPCI's 7 communes, Mende among them
    expect(fee).toMatchObject({ countedPopulation: 12_464, cents: 24_928 });
  });
});

describe("the cap (15,000 € a year)", () => {
  const operator = operatorsFile([{ name: "s", title: "S", siren: null, espaceOperateurId: "op-s", members: ["200000001"] }]).operators[0]!;
  const commune = (key: string, population: number): FeeCommune => ({ key, name: key, population, coverage: { operator, direct: true, epcis: [] } });

  it("at exactly the cap nothing is cut and capped is false: 750,000 inhabitants → 15,000.00 €", () => {
    const fee = partnershipFee([commune("200000001", 500_000), commune("200000002", 250_000)], prices);
    expect(fee).toMatchObject({ countedPopulation: 750_000, uncappedCents: 1_500_000, capCents: 1_500_000, capped: false, cents: 1_500_000 });
  });

  it("one inhabitant more and the fee is capped: 750,001 → 15,000.02 € uncapped, 15,000.00 € due", () => {
    const fee = partnershipFee([commune("200000001", 500_000), commune("200000002", 250_001)], prices);
    expect(fee).toMatchObject({ uncappedCents: 1_500_002, capped: true, cents: 1_500_000 });
  });
});

describe("each line's basis and reason, at the thresholds", () => {
  const operator = operatorsFile([{ name: "s", title: "S", siren: null, espaceOperateurId: "op-s", members: ["200000001"] }]).operators[0]!;
  const epci = (population: number) => ({ siren: "240000001", name: "CC Test", population });
  const line = (population: number | null, direct: boolean, epcis: { siren: string; name: string; population: number }[]) =>
    partnershipFee([{ key: "200000001", name: "Test", population, coverage: { operator, direct, epcis } }], prices).members[0]!;
  const basis = (l: ReturnType<typeof line>) => [l.basis, l.counted, l.cents, l.reason];

  it("an unknown population is not counted, and says so", () => {
    expect(basis(line(null, true, []))).toEqual(["population-unknown", false, 0, "not counted: no INSEE population for this commune (member directly)"]);
  });
  it("3,500 inhabitants is not above 3,500; 3,501 is", () => {
    expect(basis(line(3_500, true, []))).toEqual(["exempt-commune", false, 0, "exempt: 3,500 inhabitants, not above 3,500 (member directly)"]);
    expect(basis(line(3_501, true, []))).toEqual(["member", true, 7_002, "counted: 3,501 inhabitants, above 3,500, member directly"]);
  });
  it("an EPCI of exactly 15,000 inhabitants brings its communes; 14,999 does not", () => {
    expect(basis(line(4_000, false, [epci(15_000)]))).toEqual(["epci", true, 8_000, "counted: 4,000 inhabitants, above 3,500, member through CC Test (15,000 inhabitants, at least 15,000)"]);
    expect(basis(line(4_000, false, [epci(14_999)]))).toEqual(["exempt-epci", false, 0, "exempt: reached only through CC Test (14,999 inhabitants, under 15,000)"]);
  });
  it("a commune reached through no EPCI and not listed is described without one", () => {
    expect(basis(line(4_000, false, []))).toEqual(["exempt-epci", false, 0, "exempt: reached only through an EPCI (0 inhabitants, under 15,000)"]);
  });
});

describe("memberships: one structure per commune", () => {
  const op = (name: string, extra: Record<string, unknown>) => ({ name, title: name, siren: null, espaceOperateurId: `id-${name}`, ...extra });

  it("refuses a commune listed in one structure and reached through an EPCI of another, naming both", () => {
    const file = operatorsFile([op("a", { members: ["214800955"] }), op("b", { epcis: ["244800405"] })]);
    expect(() => buildMembership(file)).toThrow(/commune 214800955 is covered by a directly and by b through EPCI CC Coeur de Lozère \(244800405\)/);
  });

  it("refuses an EPCI SIREN the INSEE data does not know, and a direct-enrolment operator with members", () => {
    expect(() => buildMembership(operatorsFile([op("a", { epcis: ["200000009"] })]))).toThrow(/operator a lists EPCI 200000009, which is no intercommunalité à fiscalité propre/);
    expect(() => operatorsFile([op("anct", { directEnrolments: true, members: ["214800955"] })])).toThrow(/the direct-enrolment operator covers no commune/);
    expect(() => operatorsFile([op("a", {})])).toThrow(/a mutualisation structure needs at least one member commune or EPCI/);
  });

  it("indexes each covered commune once with how it is reached", () => {
    const index = buildMembership(operatorsFile([op("a", { members: ["214800955", "214800922"], epcis: ["244800405"] })]));
    expect(index.covered("a")).toHaveLength(8); // 7 communes of Coeur de Lozère (Mende among them) + Marvejols
    expect(index.coverage("214800955")).toMatchObject({ direct: true, epcis: [{ siren: "244800405", name: "CC Coeur de Lozère", population: 15_635 }] });
    expect(index.coverage("214800922")).toMatchObject({ direct: true, epcis: [] });
    expect(index.coverage("214801409")).toBeNull(); // Saint-Chély-d'Apcher: nobody's
  });
});

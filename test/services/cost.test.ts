import { describe, expect, it } from "vitest";
import { computeCost, describeQuota } from "../../src/services/cost.js";
import type { FeeCommune } from "../../src/services/fee.js";
import { loadPrices, pricesFor } from "../../src/services/prices.js";
import { desiredSubscriptions } from "../../src/services/subscriptions.js";
import { usageFileSchema } from "../../src/services/usage.js";
import { enrolled, operatorsFile, policy } from "./fixtures.js";

const prices = pricesFor(loadPrices(), 2026);

type Member = Omit<FeeCommune, "coverage">;

function cost(members: Member[], entries = [enrolled(members[0]!.key, "a", members[0]!.name, "48", {})], usage?: unknown) {
  const operators = operatorsFile([{ name: "op", title: "Op", siren: null, espaceOperateurId: "op-1", members: members.map((m) => m.key) }]);
  const operator = operators.operators[0]!;
  const population = new Map(members.map((m) => [m.key, m.population]));
  const plan = desiredSubscriptions({ entries, operators, policy, zone: "collectivite.fr", populationOf: (k) => population.get(k) ?? null });
  const direct = members.map((m) => ({ ...m, coverage: { operator, direct: true, epcis: [] } }));
  return computeCost({ operator, year: 2026, prices, members: direct, unknownMembers: [], subscriptions: plan.subscriptions, usage: usage === undefined ? undefined : usageFileSchema.parse(usage) });
}

describe("partnership fee (0.02 € per inhabitant of communes above 3,500, cap 15,000 € a year)", () => {
  it("caps a large structure: 803,502 counted inhabitants → 16,070.04 € uncapped, 15,000 € due", () => {
    const r = cost([
      { key: "200000001", name: "Grande", population: 500_000 },
      { key: "200000002", name: "Moyenne", population: 300_001 },
      { key: "200000003", name: "Au-dessus", population: 3_501 }, // above the threshold: counted
      { key: "200000004", name: "Seuil", population: 3_500 }, // "supérieure à 3500": exactly 3,500 is not counted
    ]);
    expect(r.fee.members.map((m) => [m.name, m.counted, m.cents])).toEqual([
      ["Grande", true, 1_000_000],
      ["Moyenne", true, 600_002],
      ["Au-dessus", true, 7_002],
      ["Seuil", false, 0],
    ]);
    expect(r.fee.members[3]!.reason).toBe("exempt: 3,500 inhabitants, not above 3,500 (member directly)");
    expect(r.fee.countedPopulation).toBe(803_502);
    expect(r.fee.uncappedCents).toBe(1_607_004);
    expect(r.fee.capCents).toBe(1_500_000);
    expect(r.fee).toMatchObject({ capped: true, cents: 1_500_000 });
  });

  it("charges a structure under the cap in full: CDG48 members, 21,183 counted inhabitants → 423.66 €", () => {
    const r = cost([
      { key: "214800955", name: "Mende", population: 12_464 },
      { key: "214800922", name: "Marvejols", population: 4_764 },
      { key: "214801409", name: "Saint-Chély-d'Apcher", population: 3_955 },
      { key: "214800807", name: "Langogne", population: 2_836 },
      { key: "200056927", name: "Florac Trois Rivières", population: 2_100 },
    ]);
    expect(r.fee.members.map((m) => m.cents)).toEqual([24_928, 9_528, 7_910, 0, 0]);
    expect(r.fee).toMatchObject({ countedPopulation: 21_183, uncappedCents: 42_366, capped: false, cents: 42_366 });
  });

  it("charges nothing when every member is exempt, and does not count an unknown population", () => {
    const r = cost([
      { key: "214800807", name: "Langogne", population: 2_836 },
      { key: "200000009", name: "Sans chiffre", population: null },
    ]);
    expect(r.fee).toMatchObject({ countedPopulation: 0, uncappedCents: 0, cents: 0, capped: false });
    expect(r.fee.members.map((m) => m.counted)).toEqual([false, false]);
  });
});

describe("storage ceiling from provisioned organisation quotas (Messages 0.25, Fichiers 0.10 €/GB/month)", () => {
  const members: Member[] = [
    { key: "214800955", name: "Mende", population: 12_464 },
    { key: "214800922", name: "Marvejols", population: 4_764 },
    { key: "214800807", name: "Langogne", population: 2_836 },
  ];

  it("sums each enrolled commune's organisation quota × price, per month and per quadrimestre", () => {
    const r = cost(members, [
      enrolled("214800955", "mende", "Mende", "48", { messages: {}, fichiers: {} }), // tier ≥10000: 100 GB each
      enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} }), // tier ≥3500: 50 GB
      enrolled("214800807", "langogne", "Langogne", "48", { messages: { organization: 1_500_000_000 } }), // override 1.5 GB
    ]);
    // 100 × 25 = 2500; 100 × 10 = 1000; 50 × 25 = 1250; 1.5 × 25 = 37.5 → 38 (half up).
    expect(r.ceiling.lines.map((l) => [l.name, l.service, l.organizationQuota, l.monthlyCents])).toEqual([
      ["Mende", "messages", 100e9, 2500],
      ["Mende", "fichiers", 10e9, 100], // fichiers has no tiers in the test policy: default 10 GB → 1.00 €
      ["Marvejols", "messages", 50e9, 1250],
      ["Langogne", "messages", 1.5e9, 38],
    ]);
    expect(r.ceiling).toMatchObject({ monthlyCents: 3888, perPeriodCents: 15_552, periodMonths: 4, bounded: true, unlimited: [] });
  });

  it("says there is no ceiling where a quota is unlimited", () => {
    const r = cost(members, [enrolled("214800955", "mende", "Mende", "48", { messages: { organization: "unlimited" } }), enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} })]);
    expect(r.ceiling.lines[0]).toMatchObject({ organizationQuota: "unlimited", monthlyCents: null });
    expect(r.ceiling).toMatchObject({ bounded: false, unlimited: [{ key: "214800955", name: "Mende", service: "messages" }], monthlyCents: 1250 });
  });
});

describe("actual usage from the services' usage-metric JSON", () => {
  it("prices organisation figures by SIREN, reports missing members and non-members", () => {
    const members: Member[] = [
      { key: "214800955", name: "Mende", population: 12_464 },
      { key: "214800922", name: "Marvejols", population: 4_764 },
    ];
    const usage = {
      month: "2026-03",
      messages: {
        results: [
          { account: { type: "organization" }, siret: "21480095500017", metrics: { storage_used: 12_345_678_901 } },
          { account: { type: "mailbox" }, siret: "21480095500017", metrics: { storage_used: 999_000_000_000 } },
          { account: { type: "organization" }, siret: "21300000000011", metrics: { storage_used: 1_000_000_000 } },
        ],
      },
      fichiers: { results: [{ account: { type: "organization" }, siret: "21480092200010", metrics: { storage_used: 2_000_000_000 } }] },
    };
    const r = cost(members, [enrolled("214800955", "mende", "Mende", "48", { messages: {} }), enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {}, fichiers: {} })], usage);
    // 12.345678901 GB × 25 c = 308.64… → 309 c; 2 GB × 10 c = 20 c. The mailbox line is not added (it would count twice).
    expect(r.usage!.lines.map((l) => [l.name, l.service, l.monthlyCents])).toEqual([
      ["Mende", "messages", 309],
      ["Marvejols", "fichiers", 20],
    ]);
    expect(r.usage).toMatchObject({ month: "2026-03", monthlyCents: 329, perPeriodAtThisLevelCents: 1316, servicesWithoutFigures: [] });
    expect(r.usage!.missing).toEqual([{ key: "214800922", name: "Marvejols", service: "messages" }]);
    expect(r.usage!.notMembers).toEqual([{ service: "messages", siren: "213000000", storageUsedBytes: 1e9 }]);
  });
});

describe("usage against each subscription's quota", () => {
  const members: Member[] = [
    { key: "214800955", name: "Mende", population: 12_464 },
    { key: "214800922", name: "Marvejols", population: 4_764 },
    { key: "214800807", name: "Langogne", population: 2_836 },
  ];
  const org = (siret: string, bytes: number) => ({ account: { type: "organization" }, siret, metrics: { storage_used: bytes } });

  it("flags only usage above a bounded organisation quota; without a subscription the quota is null", () => {
    const usage = {
      month: "2026-03",
      // Mende exactly at its 100 GB, Marvejols one byte over its 50 GB, Langogne (unlimited) far over anything.
      messages: { results: [org("21480095500017", 100e9), org("21480092200010", 50e9 + 1), org("21480080700017", 900e9)] },
      // Marvejols has no fichiers subscription.
      fichiers: { results: [org("21480092200010", 1e9)] },
    };
    const r = cost(members, [enrolled("214800955", "mende", "Mende", "48", { messages: {} }), enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} }), enrolled("214800807", "langogne", "Langogne", "48", { messages: { organization: "unlimited" } })], usage);
    expect(r.usage!.lines.map((l) => [l.name, l.service, l.storageUsedBytes, l.organizationQuota, l.overQuota])).toEqual([
      ["Mende", "messages", 100e9, 100e9, false],
      ["Marvejols", "messages", 50e9 + 1, 50e9, true],
      ["Langogne", "messages", 900e9, "unlimited", false],
      ["Marvejols", "fichiers", 1e9, null, false],
    ]);
  });

  it("names the services the usage file has no figures for", () => {
    const r = cost(members, [enrolled("214800955", "mende", "Mende", "48", { messages: {} })], { month: "2026-03", messages: { results: [org("21480095500017", 1e9)] } });
    expect(r.usage).toMatchObject({ servicesWithoutFigures: ["fichiers"], missing: [], notMembers: [] });
    expect(r.usage!.lines.map((l) => [l.name, l.service])).toEqual([["Mende", "messages"]]);
  });
});

describe("what the report carries through", () => {
  it("the operator, unknown members and direct enrolments, as given", () => {
    const operators = operatorsFile([{ name: "op", title: "Op", siren: "200000001", espaceOperateurId: "op-1", members: ["214800955"] }]);
    const operator = operators.operators[0]!;
    const direct = [{ key: "214801409", name: "Saint-Chély-d'Apcher", departement: "48", label: "saint-chely-d-apcher", services: ["messages" as const], since: "2026-01-01T00:00:00.000Z" }];
    const r = computeCost({ operator, year: 2026, prices, members: [], unknownMembers: ["214899999"], subscriptions: [], directEnrolments: direct });
    expect(r).toMatchObject({ operator: { name: "op", title: "Op", siren: "200000001", example: operator.example }, year: 2026, unknownMembers: ["214899999"], directEnrolments: direct, usage: null });
    expect(computeCost({ operator, year: 2026, prices, members: [], unknownMembers: [], subscriptions: [] }).directEnrolments).toEqual([]);
  });
  it("a quota in words", () => {
    expect(describeQuota("unlimited")).toBe("unlimited (no ceiling)");
    expect(describeQuota(50e9)).toBe("50 GB");
  });
});

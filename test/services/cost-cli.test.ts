import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { enrolled, operatorsJson, POLICY_JSON, tempDir, writeJson, writeLedger } from "./fixtures.js";

/** Synthetic communes in the @etalab format: one big structure above the cap, one small one. */
const COMMUNES = [
  ["75056", "217500016", "Grandeville", "75", 2_100_000],
  ["13055", "211300553", "Portville", "13", 870_000],
  ["48095", "214800955", "Mende", "48", 12_464],
  ["48092", "214800922", "Marvejols", "48", 4_764],
  ["48080", "214800807", "Langogne", "48", 2_836],
] as const;

let dir: string;
let args: string[];

beforeAll(() => {
  dir = tempDir("cost");
  const communes = writeJson(dir, "communes.json", COMMUNES.map(([code, siren, nom, departement, population]) => ({ code, nom, type: "commune-actuelle", departement, region: "00", siren, codesPostaux: ["00000"], population })));
  const operators = writeJson(dir, "operators.json", operatorsJson("https://eo.example/api/v1.0/", "https://messages.example/api/v1.0/", [
    { name: "big", title: "Big structure", siren: "200000001", espaceOperateurId: "op-big", members: ["217500016", "211300553"] },
    { name: "small", title: "Small structure", siren: "200000002", espaceOperateurId: "op-small", members: ["214800955", "214800922", "214800807"] },
  ]));
  const policy = writeJson(dir, "policy.json", POLICY_JSON);
  const ledger = writeLedger(dir, [
    enrolled("214800955", "mende", "Mende", "48", { messages: {} }),
    enrolled("214800922", "marvejols", "Marvejols", "48", { messages: { organization: "unlimited" } }),
  ]);
  args = ["--communes", communes, "--operators", operators, "--quota-policy", policy, "--ledger", ledger];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("domaines cost", () => {
  it("caps the fee of a structure above 15,000 € (2,970,000 inhabitants → 59,400 € uncapped)", () => {
    const r = runCli(["cost", "--operator", "big", "--year", "2026", "--json", ...args]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.fee).toMatchObject({ countedPopulation: 2_970_000, uncappedCents: 5_940_000, capCents: 1_500_000, capped: true, cents: 1_500_000 });
    expect(report.ceiling).toMatchObject({ lines: [], monthlyCents: 0 });
  });

  it("finds the operator by SIREN and charges a small one in full, exempting communes under 3,500", () => {
    const r = runCli(["cost", "--operator", "200000002", "--year", "2026", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Mende\s+12\s464 inh\.\s+249,28 €/);
    expect(r.stdout).toMatch(/Langogne\s+2\s836 inh\.\s+exempt/);
    expect(r.stdout).toMatch(/Counted population 17\s228: 344,56 € \(under the cap\)/);
    // Mende: tier ≥10000 → 100 GB × 0.25 = 25 € a month; Marvejols unlimited: no ceiling, said so.
    expect(r.stdout).toMatch(/Mende\s+messages\s+100 GB\s+25,00 € a month/);
    expect(r.stdout).toMatch(/Marvejols\s+messages\s+unlimited \(no ceiling\)\s+no ceiling/);
    expect(r.stdout).toMatch(/Ceiling of the bounded quotas only: 25,00 € a month, 100,00 € per 4-month invoice period/);
    expect(r.stdout).toMatch(/No overall ceiling: unlimited quota for Marvejols \(messages\)/);
  });

  it("prices a usage file", () => {
    const usage = writeJson(dir, "usage.json", { month: "2026-03", messages: { results: [{ account: { type: "organization" }, siret: "21480095500017", metrics: { storage_used: 40_000_000_000 } }] } });
    const r = runCli(["cost", "--operator", "small", "--year", "2026", "--usage", usage, "--json", ...args]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.usage).toMatchObject({ month: "2026-03", monthlyCents: 1000, perPeriodAtThisLevelCents: 4000, servicesWithoutFigures: ["fichiers"] });
    expect(report.usage.missing).toEqual([{ key: "214800922", name: "Marvejols", service: "messages" }]);
  });

  it("shows usage in decimal units, never raw bytes, and flags usage beyond the organisation quota", () => {
    const usage = writeJson(dir, "usage-over.json", {
      month: "2026-04",
      messages: {
        results: [
          { account: { type: "organization" }, siret: "21480095500017", metrics: { storage_used: 123_456_789_012 } }, // Mende: 100 GB quota
          { account: { type: "organization" }, siret: "21480092200010", metrics: { storage_used: 999_000_000 } }, // Marvejols: unlimited
        ],
      },
    });
    const r = runCli(["cost", "--operator", "small", "--year", "2026", "--usage", usage, ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Mende\s+messages\s+123\.46 GB\s+30,86 € a month {2}OVER QUOTA \(organisation quota 100 GB\)/);
    expect(r.stdout).toMatch(/Marvejols\s+messages\s+999\.00 MB\s+0,25 € a month$/m);
    expect(r.stdout).not.toMatch(/\d{7,} B/);
    const json = JSON.parse(runCli(["cost", "--operator", "small", "--year", "2026", "--usage", usage, "--json", ...args]).stdout);
    expect(json.usage.lines.map((l: Record<string, unknown>) => [l.name, l.storageUsedBytes, l.organizationQuota, l.overQuota])).toEqual([
      ["Mende", 123_456_789_012, 100e9, true],
      ["Marvejols", 999_000_000, "unlimited", false],
    ]);
  });

  it.each([
    [["--year", "2026"], /--operator is required/],
    [["--operator", "nobody"], /--operator "nobody" matches no configured operator; known operators: big \(200000001\), small \(200000002\)/],
    [["--operator", "small", "--year", "2031"], /no prices configured for 2031; configured years: 2026/],
    [["--operator", "small", "--year", "26"], /--year "26" is not a year/],
  ])("refuses bad input %j with exit 2 and a message", (extra, message) => {
    const r = runCli(["cost", ...extra, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it("refuses a usage file that is not the services' format, naming the key", () => {
    const usage = writeJson(dir, "bad-usage.json", { messages: { results: [{ account: { type: "organization" }, siret: "2148", metrics: { storage_used: -1 } }] } });
    const r = runCli(["cost", "--operator", "small", "--year", "2026", "--usage", usage, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/messages.results.0.siret: a SIRET of 14 digits/);
    expect(r.stderr).toMatch(/messages.results.0.metrics.storage_used/);
  });

  it("warns that the shipped CDG48 operator is an example", () => {
    const r = runCli(["cost", "--operator", "cdg48", "--year", "2026", "--json", "--ledger", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/operator cdg48 is an EXAMPLE configuration/);
    expect(JSON.parse(r.stdout).fee).toMatchObject({ countedPopulation: 21_183, cents: 42_366 });
  });
});

describe("domaines quotas", () => {
  it("lists each enrolled commune's subscription with its domain and the source of each quota", () => {
    const r = runCli(["quotas", "--operator", "small", "--json", ...args]);
    expect(r.code).toBe(0);
    const { subscriptions, unplaced } = JSON.parse(r.stdout);
    expect(unplaced).toEqual([]);
    expect(subscriptions.map((s: { domains: string[]; service: string; serviceId: number; entitlements: unknown }) => [s.domains, s.service, s.serviceId, s.entitlements])).toEqual([
      [["marvejols.collectivite.fr"], "messages", 2, [
        { type: "messages_storage", account_type: "mailbox", config: { max_storage: 5e9 } },
        { type: "messages_storage", account_type: "organization", config: { max_storage: 0 } },
      ]],
      [["mende.collectivite.fr"], "messages", 2, [
        { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
        { type: "messages_storage", account_type: "organization", config: { max_storage: 100e9 } },
      ]],
    ]);
  });
});

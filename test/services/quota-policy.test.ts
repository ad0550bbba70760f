import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { parseWith } from "../../src/json-file.js";
import { quotaPolicySchema, resolveQuotas, toEntitlements } from "../../src/services/quota-policy.js";
import { policy, POLICY_JSON } from "./fixtures.js";

describe("quota policy", () => {
  it("the shipped data/quota-policy.json is valid and keeps the Espace Opérateur's defaults", async () => {
    const { loadQuotaPolicy } = await import("../../src/services/quota-policy.js");
    const shipped = loadQuotaPolicy();
    expect(shipped.services.messages.defaults).toEqual({ mailbox: 5e9, organization: 10e9 });
    expect(shipped.services.fichiers.defaults).toEqual({ user: 5e9, organization: 10e9 });
  });

  it("applies defaults, then the highest tier reached, then the commune's overrides", () => {
    const view = (pop: number | null, overrides = {}) => Object.fromEntries(resolveQuotas(policy, "messages", pop, overrides).map((q) => [q.accountType, [q.size, q.source]]));
    expect(view(null)).toEqual({ mailbox: [5e9, "default"], organization: [10e9, "default"] });
    expect(view(3499)).toEqual({ mailbox: [5e9, "default"], organization: [10e9, "default"] });
    expect(view(3500)).toEqual({ mailbox: [5e9, "default"], organization: [50e9, "tier>=3500"] });
    expect(view(12464)).toEqual({ mailbox: [10e9, "tier>=10000"], organization: [100e9, "tier>=10000"] });
    expect(view(12464, { organization: "unlimited" })).toEqual({ mailbox: [10e9, "tier>=10000"], organization: ["unlimited", "override"] });
  });

  it("turns quotas into the Espace Opérateur's entitlements, unlimited as max_storage 0", () => {
    const quotas = resolveQuotas(policy, "fichiers", 100, { user: 20e9, organization: "unlimited" });
    expect(toEntitlements("fichiers", quotas)).toEqual([
      { type: "drive_storage", account_type: "user", config: { max_storage: 20e9 } },
      { type: "drive_storage", account_type: "organization", config: { max_storage: 0 } },
    ]);
  });

  it("refuses an override for an account type the service does not have", () => {
    expect(() => resolveQuotas(policy, "messages", 100, { user: 1e9 }, "Mende (mende)")).toThrow(/Mende \(mende\): quota override messages.user in the ledger: service messages has no account type "user"/);
  });

  it.each([
    ["5 GiB", /not a size/],
    ["5gb", /not a size/],
    ["-5GB", /not a size/],
    ["0GB", /whole, positive number of bytes/],
    ["1.5B", /whole, positive number of bytes/],
  ])("refuses the size %j with a message naming the key", (size, why) => {
    const bad = structuredClone(POLICY_JSON);
    bad.services.messages.defaults.mailbox = size;
    expect(() => parseWith(quotaPolicySchema, bad, "quota policy test.json")).toThrow(InputError);
    try {
      parseWith(quotaPolicySchema, bad, "quota policy test.json");
    } catch (err) {
      expect((err as Error).message).toMatch(/quota policy test.json is invalid:\n  services.messages.defaults.mailbox: /);
      expect((err as Error).message).toMatch(why);
    }
  });

  it("refuses numbers for sizes, unknown account types, missing defaults and unordered tiers", () => {
    const cases: [unknown, RegExp][] = [
      [{ services: { ...POLICY_JSON.services, fichiers: { defaults: { user: 5000000000, organization: "10GB" } } } }, /services.fichiers.defaults.user: .*expected string/],
      [{ services: { ...POLICY_JSON.services, fichiers: { defaults: { user: "5GB", organization: "10GB", mailbox: "1GB" } } } }, /services.fichiers.defaults: .*mailbox/],
      [{ services: { ...POLICY_JSON.services, fichiers: { defaults: { user: "5GB" } } } }, /services.fichiers.defaults.organization/],
      [{ services: { ...POLICY_JSON.services, fichiers: { defaults: { user: "5GB", organization: "10GB" }, tiers: [{ minPopulation: 10000, quotas: {} }, { minPopulation: 3500, quotas: {} }] } } }, /strictly increasing minPopulation/],
      [{ services: { messages: POLICY_JSON.services.messages } }, /services.fichiers/],
    ];
    for (const [json, why] of cases) expect(() => parseWith(quotaPolicySchema, json, "p")).toThrow(why);
  });
});

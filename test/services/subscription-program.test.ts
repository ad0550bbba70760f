import { describe, expect, it } from "vitest";
import { loadOperators } from "../../src/services/operators.js";
import { runWithMocks } from "../infra/support/mock-run.js";
import { departementEntries, dkimFor, rawConfig, sourcesFor, withServices, ZONE } from "../infra/support/fixtures.js";

/**
 * The real Pulumi program (runStack) for the Lozère stack under mocks, with the shipped
 * data/operators.json (example CDG48 operator) and data/quota-policy.json: subscriptions
 * sit beside the records, and DKIM is published where the key is known, pending elsewhere.
 */
const SUBSCRIPTION = "pulumi-nodejs:dynamic/domaines:EspaceOperateurSubscription";
const ZONE_RECORD = "ovh:Domain/zoneRecord:ZoneRecord";

describe("département stack dep-48 with Espace Opérateur subscriptions", () => {
  it("declares one subscription per enrolled member commune and service, and the DKIM record only where the key is known", async () => {
    const members = new Set(loadOperators().operators.find((o) => o.name === "cdg48")!.members);
    const all = departementEntries("48");
    const nonMembers = all.filter((e) => !members.has(e.key!)).slice(0, 2);
    const mende = withServices(all.find((e) => e.key === "214800955")!, ["messages", "fichiers"]);
    const entries = [mende, ...all.filter((e) => members.has(e.key!) && e.key !== "214800955"), ...nonMembers];
    // The shared fixtures turn subscriptions off for the DNS-only tests; this one turns them on.
    const run = await runWithMocks({ stack: "dep-48", config: rawConfig("48", { "domaines:subscriptions": "true" }), sources: sourcesFor(entries, dkimFor([mende.label])) });

    const subs = [...run.resources.values()].filter((r) => r.type === SUBSCRIPTION);
    const expectedNames = [...members].flatMap((k) => (k === "214800955" ? [`subscription-messages-${k}`, `subscription-fichiers-${k}`] : [`subscription-messages-${k}`]));
    expect(subs.map((s) => s.name).sort()).toEqual(expectedNames.sort());
    for (const s of subs) {
      const entry = entries.find((e) => e.key === s.inputs.siren)!;
      expect(s.inputs.domains).toEqual([`${entry.label}.${ZONE}`]);
      expect(s.inputs.tokenEnv).toBe("DOMAINES_EO_TOKEN_CDG48");
    }
    const mendeMessages = subs.find((s) => s.name === "subscription-messages-214800955")!;
    expect(mendeMessages.inputs.entitlements).toEqual([
      { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
      { type: "messages_storage", account_type: "organization", config: { max_storage: 100e9 } },
    ]);
    // Langogne (2,836 inhabitants) keeps the defaults: 5 GB a mailbox, 10 GB the organisation.
    expect(subs.find((s) => s.name === "subscription-messages-214800807")!.inputs.entitlements).toEqual([
      { type: "messages_storage", account_type: "mailbox", config: { max_storage: 5e9 } },
      { type: "messages_storage", account_type: "organization", config: { max_storage: 10e9 } },
    ]);

    const dkimRecords = [...run.resources.values()].filter((r) => r.type === ZONE_RECORD && String(r.inputs.subdomain).includes("._domainkey."));
    expect(dkimRecords.map((r) => r.inputs.subdomain)).toEqual([`stmessages._domainkey.${mende.label}`]);
    const otherLabels = entries.filter((e) => e !== mende).map((e) => e.label).sort();
    expect(run.outputs.dkimPending).toEqual(otherLabels);

    expect((run.outputs.subscriptions as unknown[]).length).toBe(expectedNames.length);
    expect(run.outputs.subscriptionsNotPlaced).toEqual(nonMembers.map((e) => ({ communeKey: e.key, label: e.label, service: "messages", reason: "the commune is a member of no configured operator (data/operators.json)" })));
  });

  it("declares none when domaines:subscriptions is false", async () => {
    const run = await runWithMocks({ stack: "dep-48", config: rawConfig("48", { "domaines:subscriptions": "false" }), sources: sourcesFor(departementEntries("48", { limit: 3 })) });
    expect([...run.resources.values()].filter((r) => r.type === SUBSCRIPTION)).toEqual([]);
  });

  it("declares no subscription in the platform stack", async () => {
    const run = await runWithMocks({ stack: "platform", config: rawConfig("platform"), sources: sourcesFor(departementEntries("48", { limit: 3 })) });
    expect([...run.resources.values()].filter((r) => r.type === SUBSCRIPTION)).toEqual([]);
    expect(run.outputs.subscriptions).toBeUndefined();
  });
});

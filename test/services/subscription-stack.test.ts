import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { declareSubscriptions, loadStackSubscriptionSources, stackSubscriptionPlan, subscriptionOutputs, type StackSubscriptionSources } from "../../infra/providers/subscriptions.js";
import { enrolled } from "./fixtures.js";

const SENTINEL = "cdg48-key-must-not-leak-91c2";
const TYPE = "pulumi-nodejs:dynamic/domaines:EspaceOperateurSubscription";

/** The Lozère ledger slice: members of the example CDG48 operator, a non-member, another département. */
const entries = [
  enrolled("214800955", "mende", "Mende", "48", { messages: {}, fichiers: {} }),
  enrolled("214800922", "marvejols", "Marvejols", "48", { messages: { organization: "unlimited" } }),
  enrolled("214800807", "langogne", "Langogne", "48", {}),
  enrolled("214800393", "chanac", "Chanac", "48", { messages: {} }),
  enrolled("211500187", "aurillac", "Aurillac", "15", { messages: {} }),
];

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let src: StackSubscriptionSources;
beforeAll(() => {
  src = loadStackSubscriptionSources(); // the shipped data/operators.json, data/quota-policy.json and COG populations
});

describe("the département stack's subscriptions under Pulumi mocks", () => {
  it("declares one subscription per enrolled member commune and service, with its domain and quotas", async () => {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          return { id: `${args.name}_id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "domaines",
      "dep-48",
      false,
    );
    process.env.DOMAINES_EO_TOKEN_CDG48 = SENTINEL;
    try {
      const plan = stackSubscriptionPlan("collectivite.fr", "48", entries, src);
      declareSubscriptions(plan, src);
      await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

      expect(registered.map((r) => [r.type, r.name])).toEqual([
        [TYPE, "subscription-messages-214800955"],
        [TYPE, "subscription-fichiers-214800955"],
        [TYPE, "subscription-messages-214800922"],
      ]);
      const byName = new Map(registered.map((r) => [r.name, r.inputs]));
      // Mende, 12,464 inhabitants: the ≥10,000 tier of data/quota-policy.json.
      expect(byName.get("subscription-messages-214800955")).toMatchObject({
        operatorId: "example-cdg48-not-a-real-id",
        tokenEnv: "DOMAINES_EO_TOKEN_CDG48",
        siren: "214800955",
        serviceId: 2,
        domains: ["mende.collectivite.fr"],
        entitlements: [
          { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
          { type: "messages_storage", account_type: "organization", config: { max_storage: 100e9 } },
        ],
      });
      expect(byName.get("subscription-fichiers-214800955")).toMatchObject({
        serviceId: 12,
        domains: ["mende.collectivite.fr"],
        entitlements: [
          { type: "drive_storage", account_type: "organization", config: { max_storage: 100e9 } },
          { type: "drive_storage", account_type: "user", config: { max_storage: 5e9 } },
        ],
      });
      // Marvejols: its onboarding override makes the organisation quota unlimited (max_storage 0).
      expect(byName.get("subscription-messages-214800922")).toMatchObject({
        domains: ["marvejols.collectivite.fr"],
        entitlements: [
          { type: "messages_storage", account_type: "mailbox", config: { max_storage: 5e9 } },
          { type: "messages_storage", account_type: "organization", config: { max_storage: 0 } },
        ],
      });
      // The serialized provider travels with each resource's inputs: no key in it, nor anywhere in the inputs.
      for (const r of registered) {
        expect(typeof r.inputs.__provider).toBe("string");
        expect(JSON.stringify(r.inputs)).not.toContain(SENTINEL);
      }

      const outputs = subscriptionOutputs(plan);
      expect(outputs.subscriptionsNotPlaced).toEqual([{ communeKey: "214800393", label: "chanac", service: "messages", reason: "the commune is a member of no configured operator (data/operators.json)" }]);
      expect(outputs.subscriptions).toContainEqual({ commune: "214800922", label: "marvejols", service: "messages", operator: "cdg48", domains: ["marvejols.collectivite.fr"], quotas: { mailbox: "5 GB", organization: "unlimited" } });
    } finally {
      delete process.env.DOMAINES_EO_TOKEN_CDG48;
    }
  });
});

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriptionProvider, subscriptionProvider, subscriptionResourceArgs, type SubscriptionInputs, type SubscriptionOutputs } from "../../infra/providers/subscription.js";
import { desiredSubscriptions } from "../../src/services/subscriptions.js";
import { ROOT } from "../support/cli.js";
import { startEspaceOperateur, type EspaceOperateurServer } from "../support/servers/espace-operateur.js";
import { enrolled, operatorsFile, policy } from "./fixtures.js";

const TOKEN = "eo-provider-secret-7f3a";
const ENV = "DOMAINES_EO_TOKEN_TEST";
let server: EspaceOperateurServer;

/**
 * The provider as Pulumi's dynamic-provider host runs it: the compiled module (what
 * `pulumi up` loads from dist/), serialized by Pulumi's closure serializer, then loaded
 * with the host's require-from-string and `.handler()`.
 */
async function deserializedProvider(): Promise<{ text: string; provider: SubscriptionProvider }> {
  const compiled = (await import(pathToFileURL(`${ROOT}/dist/infra/providers/subscription.js`).href)) as { subscriptionProvider: typeof subscriptionProvider };
  const serialized = await pulumi.runtime.serializeFunction(() => compiled.subscriptionProvider, { allowSecrets: true });
  const host = createRequire(createRequire(import.meta.url).resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js"));
  const requireFromString = host("require-from-string") as (code: string) => { handler: () => SubscriptionProvider };
  return { text: serialized.text, provider: requireFromString(serialized.text).handler() };
}

function inputs(server: EspaceOperateurServer, overrides: Partial<SubscriptionInputs> = {}): SubscriptionInputs {
  const operators = operatorsFile([{ name: "test", title: "T", siren: null, espaceOperateurId: "op-test", members: ["214800955", "214800922"] }]);
  operators.espaceOperateur.url = server.apiRoot;
  operators.espaceOperateur.retries = 1;
  const plan = desiredSubscriptions({ entries: [enrolled("214800955", "mende", "Mende", "48", { messages: {} })], operators, policy, zone: "collectivite.fr", populationOf: () => 12_464 });
  return { ...subscriptionResourceArgs(plan.subscriptions[0]!, operators.espaceOperateur).inputs, ...overrides };
}

beforeAll(async () => {
  server = await startEspaceOperateur("op-test", TOKEN);
  server.addOrganization({ siren: "214800955", name: "Mende", code_insee: "48095", population: 12_464, operator: "op-test" });
  server.addOrganization({ siren: "214800922", name: "Marvejols", code_insee: "48092", population: 4_764, operator: "op-test" });
  process.env[ENV] = TOKEN;
});
afterAll(async () => {
  delete process.env[ENV];
  await server.stop();
});

describe("subscription resource inputs", () => {
  it("derive from the desired subscription: stable name, domain, entitlements, the key's variable name only", () => {
    const i = inputs(server);
    expect(i).toMatchObject({ operatorId: "op-test", tokenEnv: ENV, siren: "214800955", service: "messages", serviceId: 2, domains: ["mende.collectivite.fr"] });
    expect(i.entitlements).toEqual([
      { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
      { type: "messages_storage", account_type: "organization", config: { max_storage: 100e9 } },
    ]);
    expect(JSON.stringify(i)).not.toContain(TOKEN);
  });
});

describe("the dynamic provider, serialized as Pulumi does, against the Espace Opérateur over HTTP", () => {
  it("serializes without any secret and without a client", async () => {
    const { text } = await deserializedProvider();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/Bearer eo-/);
    expect(text).toContain('require("zod")'); // by reference, not a serialized schema
  });

  it("creates, re-creates idempotently, diffs, updates, refreshes drift and deletes", async () => {
    const { provider } = await deserializedProvider();
    const news = inputs(server);
    const checked = await provider.check!(news, news);
    expect(checked.failures).toBeUndefined();

    const created = await provider.create(checked.inputs!);
    const org = server.organizations[0]!;
    expect(created.id).toBe(`op-test/${org.id}/2`);
    expect(created.outs).toMatchObject({ organizationId: org.id, organizationName: "Mende", isActive: true, domains: ["mende.collectivite.fr"] });
    const stored = server.subscription(org.id, 2)!;
    expect(stored.metadata).toEqual({ domains: ["mende.collectivite.fr"] });
    expect(stored.entitlements.map((e) => [e.account_type, e.config.max_storage])).toEqual([["mailbox", 10e9], ["organization", 100e9]]);

    // A create that meets an existing subscription adopts it (the PATCH is an upsert): same state.
    const again = await provider.create(checked.inputs!);
    expect(again.outs!.entitlements).toEqual(created.outs!.entitlements);
    expect(server.subscriptions.size).toBe(1);

    const outs = created.outs as SubscriptionOutputs;
    expect(await provider.diff!(created.id, outs, news)).toMatchObject({ changes: false, replaces: [] });
    const bigger = { ...news, entitlements: news.entitlements.map((e) => (e.account_type === "organization" ? { ...e, config: { max_storage: 0 } } : e)) };
    expect(await provider.diff!(created.id, outs, bigger)).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff!(created.id, outs, { ...news, siren: "214800922" })).toMatchObject({ changes: true, replaces: ["siren"] });

    const updated = await provider.update!(created.id, outs, bigger);
    expect(updated.outs!.entitlements.find((e) => e.account_type === "organization")!.config.max_storage).toBe(0);
    expect(stored.entitlements.find((e) => e.account_type === "organization")!.config.max_storage).toBe(0);

    // Drift: someone edits the quota and the domains in the Espace Opérateur; read shows it, diff wants it back.
    stored.entitlements.find((e) => e.account_type === "mailbox")!.config.max_storage = 1e9;
    stored.metadata = { domains: ["typo.collectivite.fr"] };
    const refreshed = await provider.read!(created.id, updated.outs as SubscriptionOutputs);
    expect(refreshed.props).toMatchObject({ domains: ["typo.collectivite.fr"] });
    expect(refreshed.props!.entitlements.find((e) => e.account_type === "mailbox")!.config.max_storage).toBe(1e9);
    expect(await provider.diff!(created.id, refreshed.props!, bigger)).toMatchObject({ changes: true });
    await provider.update!(created.id, refreshed.props!, bigger);
    expect(stored.metadata).toEqual({ domains: ["mende.collectivite.fr"] });

    await provider.delete!(created.id, refreshed.props!);
    expect(server.subscription(org.id, 2)).toBeUndefined();
    expect(await provider.read!(created.id, refreshed.props!)).toEqual({}); // gone: Pulumi drops it on refresh
    await provider.delete!(created.id, refreshed.props!); // already gone: not an error
  });

  it("retries a 503 during create and succeeds", async () => {
    const { provider } = await deserializedProvider();
    server.log.length = 0;
    server.inject({ kind: "status", status: 503 });
    const r = await provider.create(inputs(server, { siren: "214800922" }));
    expect(r.outs!.organizationName).toBe("Marvejols");
    expect(server.log).toHaveLength(3); // 503, search, PATCH
    await provider.delete!(r.id, r.outs!);
  });

  it("fails clearly, creating nothing, on an unknown SIREN, a missing key variable, or a refused key", async () => {
    const { provider } = await deserializedProvider();
    await expect(provider.create(inputs(server, { siren: "999999999" }))).rejects.toThrow(/no organisation with SIREN 999999999 in operator op-test's perimeter/);
    await expect(provider.create(inputs(server, { tokenEnv: "DOMAINES_EO_TOKEN_NOBODY" }))).rejects.toThrow(/the environment variable DOMAINES_EO_TOKEN_NOBODY is not set/);
    process.env.DOMAINES_EO_TOKEN_WRONG = "wrong";
    try {
      await expect(provider.create(inputs(server, { tokenEnv: "DOMAINES_EO_TOKEN_WRONG" }))).rejects.toThrow(/HTTP 401: the operator key was refused; check DOMAINES_EO_TOKEN_WRONG/);
    } finally {
      delete process.env.DOMAINES_EO_TOKEN_WRONG;
    }
    expect(server.subscriptions.size).toBe(0);
  });

  it("check refuses inputs that would put a key in the state or reach nowhere", async () => {
    const { provider } = await deserializedProvider();
    const r = await provider.check!(inputs(server), inputs(server, { tokenEnv: TOKEN, siren: "4809", apiUrl: "ftp://x" }));
    expect(r.failures!.map((f) => f.property).sort()).toEqual(["apiUrl", "siren", "tokenEnv"]);
  });
});

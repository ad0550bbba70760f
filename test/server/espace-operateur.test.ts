import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { espaceOperateurWebhookTemplate } from "../../src/operations/webhook.js";
import { ROOT, runCli, runCliAsync } from "../support/cli.js";
import { startEspaceOperateur, type EspaceOperateurServer } from "../support/servers/espace-operateur.js";
import { call, eventually } from "./support/http.js";
import { createToken, fixture, startServer, type RunningServer } from "./support/server.js";

const MENDE = "214800955";
const MARVEJOLS = "214800922";
const SAINT_CHELY = "214801409";
const EO_KEY = "eo-key-of-cdg48";

interface AuditLine {
  actor: string;
  command: string;
  label?: string;
  event?: { kind: string; commune?: string; outcome?: string; eventId?: string; service?: string };
}

/**
 * Driven by the Espace Opérateur: its (local) DeployCenter fires the webhook configured with
 * the README's template on each subscription change, the server maps it to an onboarding or
 * an offboarding (checking a deletion against the API first), and `reconcile` repairs what a
 * missed webhook left behind.
 */
describe("Espace Opérateur webhook and reconciliation", () => {
  let eo: EspaceOperateurServer;
  let server: RunningServer;
  let setup: ReturnType<typeof fixture>;
  let hookToken = "";
  const orgs: Record<string, string> = {};

  beforeAll(async () => {
    eo = await startEspaceOperateur("eo-cdg48", EO_KEY);
    for (const [siren, name, insee] of [
      [MENDE, "Mende", "48095"],
      [MARVEJOLS, "Marvejols", "48092"],
      [SAINT_CHELY, "Saint-Chély-d'Apcher", "48140"],
    ] as const) {
      orgs[siren] = eo.addOrganization({ name, siren, code_insee: insee, population: 5000, operator: "eo-cdg48" }).id;
    }
    setup = fixture([{ name: "cdg48", espaceOperateurId: "eo-cdg48", members: [MENDE, MARVEJOLS, SAINT_CHELY] }], eo.apiRoot);
    hookToken = createToken(setup, ["--role", "webhook", "--operator", "cdg48"]).token;
    server = await startServer({ ...setup, env: { DOMAINES_EO_TOKEN_CDG48: EO_KEY } });
    const template = espaceOperateurWebhookTemplate(`${server.url}/api/v1/hooks/espace-operateur`, hookToken);
    for (const id of [2, 12]) eo.services.get(id)!.webhooks = [template as never];
  });

  afterAll(async () => {
    await server?.stop();
    await eo?.stop();
    rmSync(dirname(setup.ledger), { recursive: true, force: true });
  });

  const audit = (): AuditLine[] => readFileSync(join(setup.ledger, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as AuditLine);
  const events = () => audit().filter((a) => a.event?.kind === "webhook.espace-operateur");
  const services = (key: string): string[] => {
    const line = readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { key: string; state: string; services?: object }).find((e) => e.key === key && e.state === "allocated");
    return line ? Object.keys(line.services ?? {}) : [];
  };
  const patch = (siren: string, service: number, isActive = true) =>
    fetch(`${eo.apiRoot}operators/eo-cdg48/organizations/${orgs[siren]}/services/${service}/subscription/`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${EO_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ is_active: isActive, metadata: { domains: [] } }),
    }).then((r) => r.status);
  const remove = (siren: string, service: number) => fetch(`${eo.apiRoot}operators/eo-cdg48/organizations/${orgs[siren]}/services/${service}/subscription/`, { method: "DELETE", headers: { authorization: `Bearer ${EO_KEY}` } }).then((r) => r.status);
  const eventsSettled = async (n: number) => eventually(() => events().length >= n, `${n} webhook events traced`);

  it("the README's template is the one the tests configure", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const shown = JSON.stringify(espaceOperateurWebhookTemplate("https://domaines.example.gouv.fr/api/v1/hooks/espace-operateur", "<webhook token>"), null, 2);
    expect(readme).toContain(shown);
  });

  it("a subscription created in the Espace Opérateur enrols the commune; the event is traced under the webhook token", async () => {
    expect(await patch(MENDE, 2)).toBe(201);
    expect(eo.webhookLog.at(-1)).toMatchObject({ event: "subscription.created", status: 202 });
    await eventsSettled(1);
    expect(services(MENDE)).toEqual(["messages"]);
    const [e] = events();
    expect(e!.event).toMatchObject({ commune: MENDE, service: "messages", outcome: "onboarded" });
    expect(e!.actor).toMatch(/^webhook:cdg48\/t[0-9a-f]{12}$/);
    const tx = audit().find((a) => a.label === "mende");
    expect(tx?.actor).toBe(e!.actor);
    expect(tx?.command).toMatch(/^POST \/api\/v1\/hooks\/espace-operateur subscription\.created /);
  });

  it("is idempotent: an update changes nothing, and the very same event again is answered duplicate", async () => {
    const before = readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8");
    expect(await patch(MENDE, 2)).toBe(200);
    await eventsSettled(2);
    expect(events()[1]!.event).toMatchObject({ outcome: "unchanged" });
    expect(readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8")).toBe(before);
    const same = { event_type: "subscription.updated", organization_siren: MENDE, service_id: 2, subscription_is_active: true, subscription_id: "s-1", subscription_updated_at: "2026-05-01T00:00:00Z", operator_id: "eo-cdg48" };
    expect((await call(server.url, "POST", "/api/v1/hooks/espace-operateur", { headers: { "x-domaines-token": hookToken }, body: same })).status).toBe(202);
    const again = await call(server.url, "POST", "/api/v1/hooks/espace-operateur", { headers: { "x-domaines-token": hookToken }, body: same });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: "duplicate" });
    await eventsSettled(3);
  });

  it("offboards on a deletion only once the Espace Opérateur confirms the subscription is gone", async () => {
    // A deletion event while the subscription is still active (replayed, or out of order): kept.
    const forged = { event_type: "subscription.deleted", organization_siren: MENDE, service_id: 2, subscription_id: "s-forged", timestamp: new Date().toISOString(), operator_id: "eo-cdg48" };
    expect((await call(server.url, "POST", "/api/v1/hooks/espace-operateur", { headers: { "x-domaines-token": hookToken }, body: forged })).status).toBe(202);
    await eventsSettled(4);
    expect(events()[3]!.event).toMatchObject({ outcome: "kept" });
    expect(services(MENDE)).toEqual(["messages"]);
    // The real deletion: gone in the API, offboarded.
    expect(await remove(MENDE, 2)).toBe(204);
    expect(eo.webhookLog.at(-1)).toMatchObject({ event: "subscription.deleted", status: 202 });
    await eventsSettled(5);
    expect(events()[4]!.event).toMatchObject({ outcome: "offboarded" });
    expect(services(MENDE)).toEqual([]);
  });

  it("a deactivated subscription offboards; a commune outside the token's structure is refused", async () => {
    expect(await patch(MARVEJOLS, 12)).toBe(201);
    await eventsSettled(6);
    expect(services(MARVEJOLS)).toEqual(["fichiers"]);
    expect(await patch(MARVEJOLS, 12, false)).toBe(200);
    await eventsSettled(7);
    expect(events()[6]!.event).toMatchObject({ outcome: "offboarded" });
    expect(services(MARVEJOLS)).toEqual([]);
    const outside = await call(server.url, "POST", "/api/v1/hooks/espace-operateur", { headers: { "x-domaines-token": hookToken }, body: { event_type: "subscription.created", organization_siren: "214800807", service_id: 2, operator_id: "eo-cdg48" } });
    expect(outside.status).toBe(422);
    expect(outside.json).toMatchObject({ code: "not-covered" });
  });

  it("reconcile reports what missed webhooks left, and --apply repairs it (a missing subscription only with --offboard-missing)", async () => {
    for (const id of [2, 12]) eo.services.get(id)!.webhooks = []; // the webhooks are missed from now on
    // Async: the local Espace Opérateur answers from this process.
    const cli = (args: string[]) => runCliAsync(["reconcile", "--operator", "cdg48", "--json", "--ledger", setup.ledger, "--operators", setup.operators, "--actor", "reconcile-test", ...args], { env: { DOMAINES_EO_TOKEN_CDG48: EO_KEY } });
    expect((await runCliAsync(["onboard", SAINT_CHELY, "--services", "messages", "--ledger", setup.ledger])).code).toBe(0);
    expect((await runCliAsync(["onboard", MENDE, "--services", "fichiers", "--ledger", setup.ledger])).code).toBe(0);
    expect(await patch(MARVEJOLS, 12, true)).toBe(200); // active again, the ledger does not know
    expect(await patch(SAINT_CHELY, 2, false)).toBe(201); // inactive, the ledger has it enrolled
    const report = await cli([]);
    expect(report.stderr).toBe("");
    expect(report.code).toBe(1);
    const diffs = (JSON.parse(report.stdout) as { differences: { kind: string; key: string; service: string; applied: boolean }[] }).differences;
    expect(diffs.map((d) => [d.kind, d.key, d.service]).sort()).toEqual(
      [
        ["enrolled-without-subscription", MENDE, "fichiers"],
        ["inactive-but-enrolled", SAINT_CHELY, "messages"],
        ["subscribed-not-enrolled", MARVEJOLS, "fichiers"],
      ].sort(),
    );
    const applied = await cli(["--apply"]);
    expect(applied.code).toBe(1); // Mende's missing subscription stays reported
    expect(services(MARVEJOLS)).toEqual(["fichiers"]);
    expect(services(SAINT_CHELY)).toEqual([]);
    expect(services(MENDE)).toEqual(["fichiers"]);
    expect((await cli(["--apply", "--offboard-missing"])).code).toBe(0);
    expect(services(MENDE)).toEqual([]);
    const last = await cli([]);
    expect(last.code).toBe(0);
    expect((JSON.parse(last.stdout) as { differences: unknown[] }).differences).toEqual([]);
    expect(audit().filter((a) => a.actor === "reconcile-test" && a.label).map((a) => a.command)).toEqual([
      expect.stringContaining("(subscribed-not-enrolled fichiers)"),
      expect.stringContaining("(inactive-but-enrolled messages)"),
      expect.stringContaining("(enrolled-without-subscription fichiers)"),
    ]);
    const v = runCli(["validate", "--ledger", setup.ledger, "--json"]);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
  });
});

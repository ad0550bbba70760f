import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { runCli } from "../support/cli.js";
import { migratedDatabase, psqlAt, usePostgres } from "../support/postgres.js";
import { call } from "./support/http.js";
import { createToken, fixture, revokeToken, startServer, type RunningServer } from "./support/server.js";

const CLIENTS = 8;
const PER_CLIENT = 250;

/**
 * Two `domaines serve` instances on one PostgreSQL database, as a team runs them behind a
 * load balancer: the ledger, the tokens and the audit log are the database's, so a write on
 * one instance is seen by the other, and a token revoked once stops on both.
 */
describe("two serve instances on one PostgreSQL database", () => {
  const cluster = usePostgres();
  const communes = [...loadCommunes().communes].filter((c) => c.siren !== null).sort((a, b) => a.name.localeCompare(b.name));
  // Another spread than the file-store test's, homonyms straddling clients again.
  const picked = communes.filter((_, i) => i % 13 === 1).slice(0, CLIENTS * PER_CLIENT);
  const slices = Array.from({ length: CLIENTS }, (_, i) => picked.slice(i * PER_CLIENT, (i + 1) * PER_CLIENT).map((c) => c.key));
  const files = fixture(slices.map((members, i) => ({ name: `op${i}`, members })));
  afterAll(() => rmSync(dirname(files.ledger), { recursive: true, force: true }));

  it("8 clients × 250 onboardings spread over both: none lost, none twice, validate passes, each change audited under its client's principal", async () => {
    expect(picked).toHaveLength(CLIENTS * PER_CLIENT);
    const url = migratedDatabase(await cluster());
    const setup = { ...files, ledger: url };
    const tokens = slices.map((_, i) => createToken(setup, ["--role", "operator", "--operator", `op${i}`]));
    // The tokens are rows of the database, not a file beside a directory.
    expect(psqlAt(url, "SELECT count(*) FROM domaines.api_tokens")).toEqual([String(CLIENTS)]);
    expect(existsSync(join(files.ledger, "tokens.json"))).toBe(false);

    const servers: RunningServer[] = [];
    try {
      servers.push(await startServer({ ...setup, args: ["--rate-limit", "100000"] }));
      servers.push(await startServer({ ...setup, args: ["--rate-limit", "100000"] }));
      expect(servers[0]!.url).not.toBe(servers[1]!.url);
      // The password of the URL never reaches the logs.
      const password = new URL(url).password;
      expect(password.length).toBeGreaterThan(8);
      for (const s of servers) expect(s.lines.join("\n")).not.toContain(password);

      const results = (
        await Promise.all(
          slices.map(async (keys, i) => {
            const out: { key: string; status: number; label: string; server: number; client: number; body?: string }[] = [];
            for (const [n, key] of keys.entries()) {
              const server = (i + n) % 2; // every client alternates between the two instances
              const a = await call(servers[server]!.url, "PUT", `/api/v1/communes/${key}/services/messages`, { token: tokens[i]!.token });
              out.push({ key, status: a.status, label: (a.json as { label: string }).label, server, client: i, ...(a.status === 201 ? {} : { body: a.text.slice(0, 300) }) });
            }
            return out;
          }),
        )
      ).flat();
      expect(results.filter((r) => r.status !== 201)).toEqual([]);
      expect(results.filter((r) => r.server === 0)).toHaveLength((CLIENTS * PER_CLIENT) / 2);

      // A commune onboarded through one instance reads back, the same, through the other.
      for (const r of results.filter((_, i) => i % 97 === 0)) {
        const other = await call(servers[1 - r.server]!.url, "GET", `/api/v1/communes/${r.key}`, { token: tokens[r.client]!.token });
        expect(other.status, r.key).toBe(200);
        expect((other.json as { ledger: { label: string }; services: Record<string, unknown> }).ledger.label, r.key).toBe(r.label);
        expect(Object.keys((other.json as { services: Record<string, unknown> }).services), r.key).toEqual(["messages"]);
      }

      const exported = runCli(["export", "--format", "json", "--ledger", url]);
      expect(exported.code).toBe(0);
      const entries = JSON.parse(exported.stdout) as { label: string; state: string; key: string | null; services: Record<string, unknown> }[];
      expect(new Set(entries.map((e) => e.label)).size).toBe(entries.length);
      const primary = entries.filter((e) => e.state === "allocated");
      expect(new Set(primary.map((e) => e.key)).size).toBe(primary.length);
      expect(primary).toHaveLength(CLIENTS * PER_CLIENT);
      const byKey = new Map(primary.map((e) => [e.key, e]));
      for (const r of results) {
        expect(byKey.get(r.key)?.label, r.key).toBe(r.label);
        expect(Object.keys(byKey.get(r.key)!.services), r.key).toEqual(["messages"]);
      }

      // Audit: one creating change per onboarding, signed by the structure's token.
      const principalOf = new Map(slices.flatMap((keys, i) => keys.map((k) => [k, `operator:op${i}/${tokens[i]!.id}`] as const)));
      const created = psqlAt(url, "SELECT actor || ' ' || (after ->> 'key') FROM domaines.audit_log WHERE kind = 'change' AND before IS NULL");
      expect(created).toHaveLength(CLIENTS * PER_CLIENT);
      for (const line of created) {
        const [actor, key] = line.split(" ");
        expect(actor, key).toBe(principalOf.get(key!));
      }

      // The audit query reads the database's log, on either instance, within the structure's scope.
      for (const r of results.filter((_, i) => i % 499 === 0)) {
        const a = await call(servers[1 - r.server]!.url, "GET", `/api/v1/audit?commune=${r.key}`, { token: tokens[r.client]!.token });
        expect(a.status, a.text.slice(0, 300)).toBe(200);
        const changes = (a.json as { records: { kind: string; actor: string; label?: string; before: unknown }[] }).records.filter((x) => x.kind === "change");
        expect(changes.filter((x) => x.before === null).map((x) => [x.label, x.actor]), r.key).toEqual([[r.label, principalOf.get(r.key)]]);
      }

      const v = runCli(["validate", "--ledger", url, "--json"]);
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
      expect(v.code).toBe(0);

      // A token revoked once (from the CLI, on the database) stops on both instances at the next request.
      const probe = picked[0]!.key;
      for (const s of servers) expect((await call(s.url, "GET", `/api/v1/communes/${probe}`, { token: tokens[0]!.token })).status).toBe(200);
      revokeToken(setup, tokens[0]!.id);
      for (const s of servers) {
        const a = await call(s.url, "GET", `/api/v1/communes/${probe}`, { token: tokens[0]!.token });
        expect(a.status).toBe(401);
        expect((a.json as { code: string }).code).toBe("unauthorized");
      }
      expect(psqlAt(url, "SELECT count(*) FROM domaines.audit_log WHERE event ->> 'kind' = 'token.revoked'")).toEqual(["1"]);
    } finally {
      for (const s of servers) expect(await s.stop()).toBe(0);
    }
  }, 1_200_000);

  it("the database keeps tokens as the file does: never deleted, changed only by one revocation", async () => {
    const url = migratedDatabase(await cluster());
    const setup = { ...files, ledger: url };
    const t = createToken(setup, ["--role", "support"]);
    expect(() => psqlAt(url, `DELETE FROM domaines.api_tokens WHERE id = '${t.id}'`)).toThrow(/revoke a token instead/);
    expect(() => psqlAt(url, `UPDATE domaines.api_tokens SET record = jsonb_set(record, '{role}', '"admin"') WHERE id = '${t.id}'`)).toThrow(/may only be revoked, once/);
    revokeToken(setup, t.id);
    expect(() => psqlAt(url, `UPDATE domaines.api_tokens SET record = jsonb_set(record, '{revokedBy}', '"someone"') WHERE id = '${t.id}'`)).toThrow(/may only be revoked, once/);
    const list = runCli(["token", "list", "--json", "--ledger", url]);
    expect(list.code).toBe(0);
    const listing = JSON.parse(list.stdout) as { store: string; tokens: { id: string; state: string; hash?: string }[] };
    expect(listing.tokens.map((x) => [x.id, x.state])).toEqual([[t.id, "revoked"]]);
    expect(listing.tokens[0]!.hash).toBeUndefined();
    // The listing names the database without its password.
    expect(listing.store).not.toContain(new URL(url).password);
  });
});

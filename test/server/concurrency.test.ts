import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { runCli } from "../support/cli.js";
import { call } from "./support/http.js";
import { createToken, fixture, startServer } from "./support/server.js";

const CLIENTS = 8;
const PER_CLIENT = 250;

/**
 * 8 clients × 250 onboardings through the API on one ledger, each client a structure's
 * operator token onboarding its own 250 member communes, all at once.
 */
describe("8 concurrent API clients × 250 onboardings", () => {
  // Spread over France, sorted by name so that homonyms (whose bare slug is reserved) straddle clients.
  const communes = [...loadCommunes().communes].filter((c) => c.siren !== null).sort((a, b) => a.name.localeCompare(b.name));
  const picked = communes.filter((_, i) => i % 15 === 0).slice(0, CLIENTS * PER_CLIENT);
  const slices = Array.from({ length: CLIENTS }, (_, i) => picked.slice(i * PER_CLIENT, (i + 1) * PER_CLIENT).map((c) => c.key));
  const setup = fixture(slices.map((members, i) => ({ name: `op${i}`, members })));
  afterAll(() => rmSync(dirname(setup.ledger), { recursive: true, force: true }));

  it("loses nothing, duplicates nothing, and audits each change under its client's principal", async () => {
    expect(picked).toHaveLength(CLIENTS * PER_CLIENT);
    const tokens = slices.map((_, i) => createToken(setup, ["--role", "operator", "--operator", `op${i}`]));
    const server = await startServer({ ...setup, args: ["--rate-limit", "100000"] });
    try {
      const statuses = await Promise.all(
        slices.map(async (keys, i) => {
          const out: { key: string; status: number; label: string; at?: string; body?: string }[] = [];
          for (const key of keys) {
            const a = await call(server.url, "PUT", `/api/v1/communes/${key}/services/messages`, { token: tokens[i]!.token });
            out.push({ key, status: a.status, label: (a.json as { label: string }).label, ...(a.status === 201 ? {} : { at: new Date().toISOString(), body: a.text.slice(0, 200) }) });
          }
          return out;
        }),
      );
      const results = statuses.flat();
      const refused = results.filter((r) => r.status !== 201);
      expect(refused, refused.length ? server.lines.filter((l) => !l.includes('"request completed"') && !l.includes('"incoming request"')).slice(-30).join("\n") : "").toEqual([]);
      expect(results).toHaveLength(CLIENTS * PER_CLIENT);

      const entries = readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { label: string; state: string; key: string | null; services: Record<string, unknown> });
      expect(new Set(entries.map((e) => e.label)).size).toBe(entries.length); // no label twice
      const primary = entries.filter((e) => e.state === "allocated");
      expect(new Set(primary.map((e) => e.key)).size).toBe(primary.length); // no commune twice
      expect(primary).toHaveLength(CLIENTS * PER_CLIENT); // none lost
      const byKey = new Map(primary.map((e) => [e.key, e]));
      for (const r of results) {
        expect(byKey.get(r.key)?.label, r.key).toBe(r.label);
        expect(Object.keys(byKey.get(r.key)!.services), r.key).toEqual(["messages"]);
      }

      // Each commune's audit line is signed by the token of the structure that covers it.
      const principalOf = new Map(slices.flatMap((keys, i) => keys.map((k) => [k, `operator:op${i}/${tokens[i]!.id}`] as const)));
      const audit = readFileSync(join(setup.ledger, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { actor: string; label?: string; after?: { key: string | null } | null; event?: unknown });
      const changes = audit.filter((a) => a.label !== undefined);
      const created = changes.filter((a) => a.after?.key);
      expect(created).toHaveLength(CLIENTS * PER_CLIENT);
      for (const a of created) expect(a.actor, a.label).toBe(principalOf.get(a.after!.key!));
      for (const a of changes) expect([...principalOf.values()]).toContain(a.actor);

      const v = runCli(["validate", "--ledger", setup.ledger, "--json"]);
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
      expect(v.code).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 900_000);
});

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileUsageHistory } from "../../src/services/usage-history.js";
import { runCli, runCliAsync } from "../support/cli.js";
import { migratedDatabase, psqlAt, usePostgres } from "../support/postgres.js";
import { MetricsServer } from "../support/servers/metrics.js";
import { enrolled, operatorsJson, tempDir, writeJson, writeLedger } from "./fixtures.js";

/**
 * usage-sync as a cron job runs it: the compiled CLI against local servers implementing
 * Messages' and Fichiers' usage-metric contracts (spec/services.md), into a usage history
 * beside a ledger.
 */
const MESSAGES_KEY = "messages-metrics-secret-4b1f";
const FICHIERS_KEY = "fichiers-metrics-secret-9c2e";
const ENV = { DOMAINES_MESSAGES_METRICS_KEY: MESSAGES_KEY, DOMAINES_FICHIERS_METRICS_KEY: FICHIERS_KEY };
const WORKER = fileURLToPath(new URL("./support/usage-append-worker.mjs", import.meta.url));

let dir: string;
let ledger: string;
let args: string[];
let messages: MetricsServer;
let fichiers: MetricsServer;

function day(d: string): { text: string; samples: Record<string, unknown>[] } {
  const text = readFileSync(join(ledger, "usage", `${d}.jsonl`), "utf8");
  return { text, samples: text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

beforeAll(async () => {
  dir = tempDir("usage-sync");
  messages = await new MetricsServer("messages", MESSAGES_KEY).start();
  fichiers = await new MetricsServer("fichiers", FICHIERS_KEY).start();
  // Mende has two establishments (SIRETs of one SIREN): their figures add up.
  messages.setOrganization("21480095500017", 3_200_000_000);
  messages.setOrganization("21480095500025", 800_000_000);
  messages.setOrganization("21480092200010", 1_500_000_000); // Marvejols
  messages.setOrganization("21480039300012", 300_000_000); // Chanac, enrolled directly by ANCT
  messages.setOrganization("21480080700019", 700_000_000); // Langogne
  messages.setOrganization("21480140900013", 2_000_000_000); // Saint-Chély-d'Apcher: not enrolled
  messages.setOrganization("99999999900011", 5_000_000_000); // no such commune
  messages.accounts.push({ type: "organization", id: "org-nosiret", siret: null, storageUsed: 1 });
  messages.accounts.push({ type: "mailbox", id: "mbx-1", siret: "21480095500017", storageUsed: 999_000_000_000 });
  fichiers.setOrganization("21480095500017", 12_000_000_000);
  const operators = writeJson(dir, "operators.json", {
    ...(operatorsJson("http://127.0.0.1:1/api/v1.0/", messages.apiRoot, [
      { name: "cdg48", title: "CDG48", siren: null, espaceOperateurId: "op-48", members: ["214800955", "214800922", "214800807"] },
      { name: "anct", title: "ANCT", siren: null, espaceOperateurId: "op-anct", directEnrolments: true },
    ]) as object),
    fichiers: { url: fichiers.apiRoot, timeoutMs: 2000, retries: 2 },
  });
  const chanac = enrolled("214800393", "chanac", "Chanac", "48", { messages: {} });
  chanac.services.messages!.direct = true;
  ledger = writeLedger(dir, [
    enrolled("214800955", "mende", "Mende", "48", { messages: {}, fichiers: {} }),
    enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} }),
    enrolled("214800807", "langogne", "Langogne", "48", { messages: {} }),
    chanac,
  ]);
  args = ["--ledger", ledger, "--operators", operators];
});

afterAll(async () => {
  await messages.stop();
  await fichiers.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("domaines usage-sync", () => {
  it("follows the pagination of both services and writes one sample per enrolled commune and service, reporting what it does not record", async () => {
    const r = await runCliAsync(["usage-sync", "--at", "2026-03-14T06:00:00+01:00", "--json", ...args], { env: ENV });
    expect(r.stderr).toMatch(/recorded for 2026-03-14 \(--at\)/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ day: "2026-03-14", takenAt: "2026-03-14T05:00:00.000Z", added: 5, alreadySampled: [], missing: [] });
    // 8 organisation entries (the mailbox is filtered by account_type) at 2 a page: 4 pages.
    expect(messages.log.map((l) => new URL(`http://x${l.path}${l.search}`).searchParams.get("page") ?? "1")).toEqual(["1", "2", "3", "4"]);
    expect(messages.log[0]!.search).toBe("?account_type=organization&account_id_key=siret");
    expect(out.services.map((s: { service: string; organizations: number; samples: number }) => [s.service, s.organizations, s.samples])).toEqual([["messages", 7, 4], ["fichiers", 1, 1]]);
    expect(out.unknownSirets).toEqual([{ service: "messages", siret: "99999999900011", storageUsedBytes: 5e9 }]);
    expect(out.notEnrolled).toEqual([{ service: "messages", key: "214801409", name: "Saint-Chély-d'Apcher", storageUsedBytes: 2e9 }]);
    expect(out.badSirets).toEqual([{ service: "messages", siret: "(none)" }]);
    const { samples } = day("2026-03-14");
    expect(samples.map((s) => [s.service, s.commune, s.operator, s.bytes, s.sirets])).toEqual([
      ["messages", "214800393", "anct", 300_000_000, ["21480039300012"]],
      ["messages", "214800807", "cdg48", 700_000_000, ["21480080700019"]],
      ["messages", "214800922", "cdg48", 1_500_000_000, ["21480092200010"]],
      ["messages", "214800955", "cdg48", 4_000_000_000, ["21480095500017", "21480095500025"]],
      ["fichiers", "214800955", "cdg48", 12_000_000_000, ["21480095500017"]],
    ]);
    // The sync is traced in the audit log.
    const audit = readFileSync(join(ledger, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ event: { kind: "usage.sync", day: "2026-03-14", samples: 5, services: ["messages", "fichiers"] } });
  });

  it("keeps the first sample of the day when a second sync runs the same day", async () => {
    const before = day("2026-03-14").text;
    messages.setOrganization("21480095500017", 9_000_000_000);
    const r = await runCliAsync(["usage-sync", "--at", "2026-03-14T21:00:00+01:00", "--json", ...args], { env: ENV });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.added).toBe(0);
    expect(out.alreadySampled).toHaveLength(5);
    expect(day("2026-03-14").text).toBe(before);
    messages.setOrganization("21480095500017", 3_200_000_000);
  });

  it("retries a 5xx and succeeds", async () => {
    messages.inject({ kind: "status", status: 503, body: { detail: "Service unavailable" } });
    const r = await runCliAsync(["usage-sync", "--at", "2026-03-15", "--json", ...args], { env: ENV });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).added).toBe(5);
    expect(day("2026-03-15").samples).toHaveLength(5);
  });

  it("reports an enrolled commune the service does not list as a gap, exit 1, and records the others", async () => {
    const langogne = messages.accounts.findIndex((a) => a.siret === "21480080700019");
    const [removed] = messages.accounts.splice(langogne, 1);
    const r = await runCliAsync(["usage-sync", "--at", "2026-03-16", ...args], { env: ENV });
    messages.accounts.push(removed!);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NO FIGURE: Langogne \(214800807\) is enrolled in messages but the service reported nothing: a gap for 2026-03-16/);
    expect(r.stdout).toMatch(/UNKNOWN SIRET 99999999900011 in messages \(5\.00 GB\): its SIREN is no current commune; not recorded/);
    expect(day("2026-03-16").samples.map((s) => [s.service, s.commune])).toEqual([["messages", "214800393"], ["messages", "214800922"], ["messages", "214800955"], ["fichiers", "214800955"]]);
  });

  it("stops on a 401 with the error wording of the other clients, naming the variable and never the key", async () => {
    const r = await runCliAsync(["usage-sync", "--at", "2026-03-17", ...args], { env: { ...ENV, DOMAINES_MESSAGES_METRICS_KEY: "wrong-key-0000" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^domaines: Messages: read the storage used per organisation failed: HTTP 401: the metrics key was refused; check DOMAINES_MESSAGES_METRICS_KEY\.$/m);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/wrong-key-0000|messages-metrics-secret/);
    expect(existsSync(join(ledger, "usage", "2026-03-17.jsonl"))).toBe(false);
  });

  it("asks for a missing key before any call, and refuses a bad --at", async () => {
    const calls = messages.log.length;
    const r = await runCliAsync(["usage-sync", ...args], { env: { DOMAINES_FICHIERS_METRICS_KEY: FICHIERS_KEY, DOMAINES_MESSAGES_METRICS_KEY: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/reading Messages' usage metrics needs the environment variable DOMAINES_MESSAGES_METRICS_KEY/);
    expect(messages.log.length).toBe(calls);
    const bad = await runCliAsync(["usage-sync", "--at", "14/03/2026", "--json", ...args], { env: ENV });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: "invalid-input" });
    expect(bad.stderr).toMatch(/--at "14\/03\/2026" is not an ISO 8601 date-time with its offset/);
  });

  it("validates the history, and finds a sample edited by hand", async () => {
    const ok = runCli(["usage-sync", "--validate", "--json", ...args]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, days: 3, samples: 14, problems: [] });
    const copy = writeLedger(join(dir, "tampered"), []);
    await new FileUsageHistory(join(copy, "usage")).append(day("2026-03-15").samples as never[]);
    const file = join(copy, "usage", "2026-03-15.jsonl");
    writeFileSync(file, readFileSync(file, "utf8").replace('"bytes":4000000000', '"bytes":-4'));
    const bad = runCli(["usage-sync", "--validate", "--ledger", copy]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/PROBLEM .*2026-03-15\.jsonl:4: bytes: Too small/);
    expect(bad.stdout).toMatch(/INVALID: 4 sample\(s\) over 1 day\(s\)/);
  });
});

describe("usage-sync on a PostgreSQL ledger", () => {
  const cluster = usePostgres();

  it("keeps the history in the ledger's database: the same samples as the file store, the first of the day kept, append-only", async () => {
    const url = migratedDatabase(await cluster());
    const copied = runCli(["ledger", "copy", "--from", ledger, "--to", url, "--actor", "test", "--json"]);
    expect(copied.code, copied.stderr).toBe(0);
    // The copy brings the file store's history along: the days synced above are in the database already.
    const held = (existsSync(join(ledger, "usage")) ? readdirSync(join(ledger, "usage")) : []).filter((n) => n.endsWith(".jsonl")).flatMap((n) => readFileSync(join(ledger, "usage", n), "utf8").trim().split("\n"));
    expect(JSON.parse(copied.stdout).usage.samples).toBe(held.length);
    expect(Number(psqlAt(url, "SELECT count(*) FROM domaines.usage_samples")[0])).toBe(held.length);
    const pgArgs = ["--ledger", url, ...args.slice(2)];
    const syncEvents = () => Number(psqlAt(url, "SELECT count(*) FROM domaines.audit_log WHERE event ->> 'kind' = 'usage.sync'")[0]);
    const copiedEvents = syncEvents();
    const at = "2026-03-21T06:00:00+01:00";
    const r = await runCliAsync(["usage-sync", "--at", at, "--json", ...pgArgs], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout) as { day: string; added: number; alreadySampled: unknown[] };
    expect(first).toMatchObject({ day: "2026-03-21", alreadySampled: [] });
    // The same day synced into the file store, the servers unchanged: the same count, the same lines.
    const f = await runCliAsync(["usage-sync", "--at", at, "--json", ...args], { env: ENV });
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout).added).toBe(first.added);
    const lines = day("2026-03-21").text.trim().split("\n");
    expect(lines).toHaveLength(first.added);
    expect(first.added).toBeGreaterThanOrEqual(4); // Mende twice, Marvejols, Chanac (and Langogne unless a test above removed it)
    expect(psqlAt(url, "SELECT sample::text FROM domaines.usage_samples WHERE sample ->> 'day' = '2026-03-21' ORDER BY position")).toEqual(lines);
    expect(existsSync(join(url, "usage"))).toBe(false);
    expect(syncEvents()).toBe(copiedEvents + 1);

    // A second sync the same day keeps the first samples, and writes nothing (no audit event either).
    const again = await runCliAsync(["usage-sync", "--at", "2026-03-21T18:00:00+01:00", "--json", ...pgArgs], { env: ENV });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0 });
    expect(JSON.parse(again.stdout).alreadySampled).toHaveLength(first.added);
    expect(psqlAt(url, "SELECT count(*) FROM domaines.usage_samples WHERE sample ->> 'day' = '2026-03-21'")).toEqual([String(first.added)]);
    expect(syncEvents()).toBe(copiedEvents + 1);

    const v = runCli(["usage-sync", "--validate", "--json", ...pgArgs]);
    expect(v.code).toBe(0);
    const copiedDays = new Set(held.map((l) => (JSON.parse(l) as { day: string }).day));
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, samples: held.length + first.added, days: copiedDays.size + 1, problems: [] });
    expect(JSON.parse(v.stdout).location).not.toContain(new URL(url).password);
    expect(() => psqlAt(url, "UPDATE domaines.usage_samples SET sample = sample")).toThrow(/append-only/);
    expect(() => psqlAt(url, "DELETE FROM domaines.usage_samples")).toThrow(/append-only/);
  });
});

describe("the usage history under kill -9", () => {
  it("stays valid when a writer is killed in the middle of a rewrite, and the next writer carries on", async () => {
    const history = join(dir, "killed-usage");
    mkdirSync(history);
    const batch = 4000;
    let held = 0;
    // Round 0 is killed the moment its temp file appears, round 1 once the new text is in it
    // (before fsync and rename), round 2 likewise on a larger file.
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [WORKER, history, String(batch), "50", String(round * 1_000_000)], { env: { ...process.env, DOMAINES_LOCK_STALE_MS: "2000" } });
      // The writer's temp file: `<day file>.tmp-<pid>-<random>` (unpredictable, created exclusively).
      const prefix = `2026-03-14.jsonl.tmp-${child.pid}-`;
      const tempOf = () => readdirSync(history).find((n) => n.startsWith(prefix));
      let tmp: string | undefined;
      let appended = 0;
      let killed = false;
      const watcher = watch(history, () => {
        const name = tempOf();
        if (killed || appended < 2 + round || name === undefined) return;
        tmp = join(history, name);
        if (round === 0 || (existsSync(tmp) && statSync(tmp).size > 0)) {
          killed = true;
          child.kill("SIGKILL");
        }
      });
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding("utf8").on("data", (d: string) => (appended += (d.match(/appended/g) ?? []).length));
        child.on("close", () => resolve());
      });
      watcher.close();
      expect(child.signalCode).toBe("SIGKILL");
      expect(tmp !== undefined && existsSync(tmp)).toBe(true); // killed mid-write: its temp file never got renamed
      const report = await new FileUsageHistory(history).validate();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.note).toMatch(/temporary file\(s\) of an interrupted sync/);
      // The day file holds exactly the batches appended before the kill: all or nothing.
      held += appended * batch;
      expect(report.samples).toBe(held);
    }
    // The killed writer's lock is taken over once stale, the temp files are removed, and writing goes on.
    const after = await appendOnce(history, batch);
    expect(after.code).toBe(0);
    const report = await new FileUsageHistory(history).validate();
    expect(report).toMatchObject({ ok: true, note: null });
    expect(readdirSync(history).filter((n) => n.includes(".tmp-"))).toEqual([]);
  }, 120_000);
});

function appendOnce(history: string, batch: number): Promise<{ code: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, history, String(batch), "1", "9000000"], { env: { ...process.env, DOMAINES_LOCK_STALE_MS: "2000" } });
    child.on("close", (code) => resolve({ code: code ?? -1 }));
  });
}

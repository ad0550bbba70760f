import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresTokenStore } from "../../src/auth/pg-token-store.js";
import { FileTokenStore, type TokenStore } from "../../src/auth/token-store.js";
import { tokenVerifier } from "../../src/auth/verify.js";
import { PostgresLedgerStore } from "../../src/ledger/pg/store.js";
import { FileLedgerStore } from "../../src/ledger/store.js";
import { FileUsageHistory, usageHistoryFor } from "../../src/services/usage-history.js";
import { ROOT, runCli, type CliResult } from "../support/cli.js";
import { migratedDatabase, psqlAt, usePostgres, type PgCluster } from "../support/postgres.js";
import { auditRecords, cli, snapshotFiles, tempLedger } from "./support/ledger-dir.js";

/**
 * `domaines ledger copy`: file → PostgreSQL → file, entries and audit log; reversibility
 * (contract art. 6) is a round trip that gives the same export, byte for byte, and a
 * validate that passes on both sides; the file copy's digest chain vouches for its ledger,
 * so that the file store keeps writing on it.
 */
const COG2022 = join(ROOT, "node_modules/cog2022/data/communes.json");
const cluster = usePostgres();
let c: PgCluster;
let root: string;
beforeAll(async () => {
  c = await cluster();
  root = tempLedger("domaines-copy-");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const copy = (from: string, to: string): CliResult => runCli(["ledger", "copy", "--from", from, "--to", to, "--json", "--actor", "test"]);
const exportJson = (location: string) => {
  const r = cli(location, ["export", "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const validates = (location: string) => {
  const v = cli(location, ["validate", "--json"]);
  expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [], note: null });
};
const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

describe("a file ledger with history (allocations, a COG sync, enrolments, an event, settled crashes) copied to PostgreSQL and back", () => {
  let source: string;
  let url: string;
  let back: string;
  beforeAll(async () => {
    source = join(root, "source");
    mkdirSync(source);
    expect(cli(source, ["allocate", "--departement", "95", "--communes", COG2022]).code).toBe(0);
    expect(cli(source, ["cog-sync", "--apply"]).code).toBe(0); // aliases, tombstones, inherited labels
    expect(cli(source, ["onboard", "Mende", "--services", "messages,fichiers", "--quota", "messages.mailbox=5GB"]).code).toBe(0);
    const store = new FileLedgerStore(source);
    await store.recordEvent({ actor: "test", command: "membership" }, { kind: "membership.added", operator: "cdg48", commune: "214800955", via: ["direct"] });
    // A transaction audited but never applied (a kill between the two writes), then a torn line: each settled by the next write's marker.
    const after = { label: "phantom", state: "allocated", key: "214801359", allocatedAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" };
    const digest = { before: sha(readFileSync(join(source, "ledger.jsonl"))), after: sha("phantom") };
    appendFileSync(join(source, "audit.jsonl"), `${JSON.stringify({ tx: "killed-tx", seq: 0, of: 1, time: "2026-01-01T00:00:00.000Z", actor: "x", command: "allocate", label: "phantom", before: null, after, digest })}\n`);
    expect(cli(source, ["offboard", "Mende", "--services", "fichiers"]).code).toBe(0);
    appendFileSync(join(source, "audit.jsonl"), '{"tx":"torn-tx","seq":0,"of":3,"time":"2026-');
    expect(cli(source, ["allocate", "Langogne"]).code).toBe(0);
    validates(source);
    url = migratedDatabase(c);
    back = join(root, "back");
  });

  it("file → PostgreSQL: every label and audit record, aborted transactions included; the copy validates and exports the same bytes", () => {
    const r = copy(source, url);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { labels: number; audit: { records: number; transactions: number }; skippedUnreadableLines: number; identicalExport: boolean; to: string };
    const lines = readFileSync(join(source, "audit.jsonl"), "utf8").split("\n").filter(Boolean);
    expect(report).toMatchObject({ skippedUnreadableLines: 1, identicalExport: true, to: url.replace(`:${c.password}@`, "@") });
    expect(report.audit.records).toBe(lines.length - 1);
    expect(report.labels).toBe(readFileSync(join(source, "ledger.jsonl"), "utf8").split("\n").filter(Boolean).length);
    expect(psqlAt(url, "SELECT kind || ' ' || count(*) FROM domaines.audit_log GROUP BY kind ORDER BY kind")).toEqual([
      `aborted 2`,
      `change ${lines.filter((l) => l.includes('"seq":') && !l.startsWith('{"tx":"torn-tx"')).length}`,
      `event 1`,
    ]);
    expect(exportJson(url)).toBe(exportJson(source));
    validates(url);
    expect(r.stdout).not.toContain(c.password);
  });

  it("PostgreSQL → file: the ledger and its audit log come back byte for byte, and the file store writes on them", () => {
    const r = copy(url, back);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(back, "ledger.jsonl"), "utf8")).toBe(readFileSync(join(source, "ledger.jsonl"), "utf8"));
    const original = readFileSync(join(source, "audit.jsonl"), "utf8").split("\n");
    const torn = original.findIndex((l) => l.startsWith('{"tx":"torn-tx"'));
    expect(readFileSync(join(back, "audit.jsonl"), "utf8")).toBe(original.filter((_, i) => i !== torn).join("\n")); // less the torn line
    expect(exportJson(back)).toBe(exportJson(source));
    validates(back);
    expect(cli(back, ["onboard", "Langogne", "--services", "messages"]).code).toBe(0);
    validates(back);
  });

  it("writes made in PostgreSQL come back to files with a digest chain the file store accepts", () => {
    expect(cli(url, ["onboard", "Langogne", "--services", "fichiers"]).code).toBe(0);
    expect(cli(url, ["offboard", "Mende"]).code).toBe(0);
    const again = join(root, "again");
    const r = copy(url, again);
    expect(r.code, r.stderr).toBe(0);
    expect(exportJson(again)).toBe(exportJson(url));
    validates(again);
    // The last transaction's digest names the ledger file written beside it.
    const last = auditRecords(again).filter((a) => "digest" in a).at(-1) as { command: string; digest: { after: string } };
    expect(last.command).toMatch(/domaines offboard Mende/);
    expect(last.digest.after).toBe(sha(readFileSync(join(again, "ledger.jsonl"))));
    expect(cli(again, ["allocate", "Marvejols"]).code).toBe(0);
    validates(again);
    // And back into a new database: still the same answers.
    const second = migratedDatabase(c);
    expect(copy(again, second).code).toBe(0);
    expect(exportJson(second)).toBe(exportJson(again));
    validates(second);
  });

  it("refuses a target that is not empty, and a source that does not validate, writing nothing", () => {
    const before = snapshotFiles(url);
    const intoDb = copy(source, url);
    expect(intoDb.code).toBe(1);
    expect((JSON.parse(intoDb.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: "refused", message: expect.stringMatching(/the target ledger .* is not empty \(\d+ labels, \d+ audit rows\)/) });
    expect(snapshotFiles(url)).toEqual(before);
    const backBefore = snapshotFiles(back);
    const intoDir = copy(url, back);
    expect(intoDir.code).toBe(1);
    expect(intoDir.stderr).toMatch(/the target ledger directory .*back is not empty/);
    expect(snapshotFiles(back)).toEqual(backBefore);

    const bad = join(root, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "ledger.jsonl"), readFileSync(join(source, "ledger.jsonl"), "utf8").split("\n").slice(1).join("\n"));
    writeFileSync(join(bad, "audit.jsonl"), readFileSync(join(source, "audit.jsonl")));
    const fresh = migratedDatabase(c);
    const refused = copy(bad, fresh);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused, nothing copied: the source ledger .*bad\/ledger\.jsonl must validate first; it does not validate/);
    expect(snapshotFiles(fresh)).toEqual({ ledger: "", audit: "" });
    expect(copy(source, source).stderr).toMatch(/--from and --to name the same ledger/);
  });
});

describe("ledger copy carries what lives beside the ledger: API tokens and the usage history", () => {
  const sample = (day: string, commune: string, bytes: number) => ({ day, service: "messages", commune, operator: "cdg48", bytes, sirets: [`${commune}00011`], takenAt: `${day}T06:00:00.000Z` });
  const samples = [sample("2026-03-14", "214800955", 1_000_000), sample("2026-03-15", "214800955", 2_000_000), sample("2026-03-15", "214801359", 5)];
  let source: string;
  let active: { id: string; token: string };
  let revoked: { id: string; token: string };
  const tokenCreate = (location: string): { id: string; token: string } => {
    const r = runCli(["token", "create", "--role", "support", "--ledger", location, "--actor", "test", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { id: string; token: string };
  };
  const principalAt = async (store: TokenStore, token: string) => {
    try {
      return await tokenVerifier(store)(token);
    } finally {
      await store.close?.();
    }
  };
  const usageAt = async (url: string) => {
    const store = new PostgresLedgerStore(url);
    try {
      return await usageHistoryFor(store).read({ from: "2000-01-01", to: "2100-01-01" });
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    source = join(root, "with-tokens");
    mkdirSync(source);
    expect(cli(source, ["allocate", "Mende", "Langogne"]).code).toBe(0);
    active = tokenCreate(source);
    revoked = tokenCreate(source);
    expect(runCli(["token", "revoke", revoked.id, "--ledger", source, "--actor", "test"]).code).toBe(0);
    expect((await new FileUsageHistory(join(source, "usage")).append(samples as never[])).added).toBe(3);
  });

  it("file → PostgreSQL → file: the same token records (a revoked one stays revoked) and the same samples", async () => {
    const url = migratedDatabase(c);
    const there = copy(source, url);
    expect(there.code, there.stderr).toBe(0);
    expect(JSON.parse(there.stdout)).toMatchObject({ tokens: { copied: 2 }, usage: { samples: 3 } });
    expect(await principalAt(new PostgresTokenStore(url), active.token)).toMatchObject({ role: "support" });
    expect(await principalAt(new PostgresTokenStore(url), revoked.token)).toBeNull();
    expect(await usageAt(url)).toEqual(samples);

    const dir = join(root, "tokens-back");
    const back = copy(url, dir);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ tokens: { copied: 2, to: join(dir, "tokens.json") }, usage: { samples: 3, to: join(dir, "usage") } });
    expect(await principalAt(new FileTokenStore(join(dir, "tokens.json")), active.token)).toMatchObject({ role: "support" });
    expect(await principalAt(new FileTokenStore(join(dir, "tokens.json")), revoked.token)).toBeNull();
    expect(await new FileUsageHistory(join(dir, "usage")).read({ from: "2000-01-01", to: "2100-01-01" })).toEqual(samples);
    // The file store's own listing of the copy, as an administrator reads it.
    const list = runCli(["token", "list", "--ledger", dir, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(active.id);
    expect(list.stdout).toContain(revoked.id);
  });

  it("refuses an empty ledger whose token store or history is not empty, before writing anything", async () => {
    const url = migratedDatabase(c);
    tokenCreate(url);
    const before = snapshotFiles(url);
    const r = copy(source, url);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: "refused", message: expect.stringMatching(/token store .* already holds 1 API token/) });
    expect(snapshotFiles(url)).toEqual(before);
    expect(before.ledger).toBe("");

    const dir = join(root, "history-held");
    await new FileUsageHistory(join(dir, "usage")).append([samples[0]] as never[]);
    const d = copy(source, dir);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/usage history .*history-held\/usage already holds 1 sample/);
    expect(readdirSync(dir).sort()).toEqual(["usage"]);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainesError } from "../../src/errors.js";
import { openLedgerStore } from "../../src/ledger/open.js";
import { redactPostgresUrl } from "../../src/ledger/pg/url.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { runCli, runCliAsync, type CliResult } from "../support/cli.js";
import { migratedDatabase, psqlAt, usePostgres, type PgCluster } from "../support/postgres.js";
import { cli, snapshotFiles } from "./support/ledger-dir.js";

/**
 * What the PostgreSQL store adds to the shared ledger tests: what the database itself
 * enforces, its failures as clear errors that never show the password, the schema's
 * migrations, and transactions under lock waits and deadlocks.
 */
const cluster = usePostgres();
let c: PgCluster;
beforeAll(async () => {
  c = await cluster();
});

const jsonError = (r: CliResult) => (JSON.parse(r.stdout) as { error: { code: string; message: string; exitCode: number } }).error;

/** A superuser connection through the cluster's socket, for what a test does beside domaines. */
async function admin(url: string): Promise<pg.Client> {
  const client = new pg.Client({ host: c.socketDir, port: c.port, user: "postgres", database: new URL(url).pathname.slice(1) });
  await client.connect();
  return client;
}

describe("the database enforces what SQL can say", () => {
  let url: string;
  beforeAll(() => {
    url = migratedDatabase(c);
    expect(cli(url, ["allocate", "Mende", "Florac Trois Rivières", "Saint-Denis-93"]).code).toBe(0);
  });

  // Each statement runs as domaines, in its own transaction; each must be refused, leaving everything as it was.
  const attempts: [string, string, RegExp][] = [
    ["UPDATE of an audit row", "UPDATE domaines.audit_log SET actor = 'someone else'", /the audit log is append-only: UPDATE on domaines\.audit_log refused/],
    ["DELETE of audit rows", "DELETE FROM domaines.audit_log", /the audit log is append-only: DELETE/],
    ["TRUNCATE of the audit log", "TRUNCATE domaines.audit_log", /the audit log is append-only: TRUNCATE/],
    ["DELETE of a label", "DELETE FROM domaines.ledger_entries WHERE label = 'mende'", /labels are kept forever: DELETE on domaines\.ledger_entries refused/],
    ["TRUNCATE of the ledger", "TRUNCATE domaines.ledger_entries", /labels are kept forever: TRUNCATE/],
    [
      "a label changed without its audit row",
      "BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1; UPDATE domaines.ledger_entries SET entry = entry || '{\"name\":\"Ailleurs\"}', revision = (SELECT revision FROM domaines.ledger_head) WHERE label = 'mende'; COMMIT;",
      /label "mende" changed without an audit row of this transaction recording it/,
    ],
    [
      "a label changed without bumping the head's revision",
      "UPDATE domaines.ledger_entries SET entry = entry || '{\"name\":\"Ailleurs\"}' WHERE label = 'mende'",
      /label "mende" written with revision \d+, not a new revision of the ledger head/,
    ],
    [
      "a second allocated label for one commune, audited",
      `BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1;
       INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after) SELECT 'hand', 'change', 0, 1, '2026-01-01T00:00:00.000Z', 'hand', 'psql', 'mende-bis', NULL, jsonb_set(entry, '{label}', '"mende-bis"') FROM domaines.ledger_entries WHERE label = 'mende';
       INSERT INTO domaines.ledger_entries (label, entry, revision) SELECT 'mende-bis', jsonb_set(entry, '{label}', '"mende-bis"'), (SELECT revision FROM domaines.ledger_head) FROM domaines.ledger_entries WHERE label = 'mende'; COMMIT;`,
      /conflicting key value violates exclusion constraint "ledger_one_allocated_label_per_commune"/,
    ],
    ["the head's revision set back", "UPDATE domaines.ledger_head SET revision = revision - 1", /the ledger head's revision only grows/],
    ["a label renamed", "BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1; UPDATE domaines.ledger_entries SET label = 'mende2', revision = (SELECT revision FROM domaines.ledger_head) WHERE label = 'mende'; COMMIT;", /label "mende" cannot be renamed to "mende2"/],
    ["a duplicate label", "BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1; INSERT INTO domaines.ledger_entries (label, entry, revision) SELECT label, entry, (SELECT revision FROM domaines.ledger_head) FROM domaines.ledger_entries WHERE label = 'mende'; COMMIT;", /duplicate key value violates unique constraint "ledger_entries_pkey"/],
  ];
  for (const [what, sql, error] of attempts) {
    it(`refuses ${what}`, () => {
      const before = snapshotFiles(url);
      expect(() => psqlAt(url, sql)).toThrow(error);
      expect(snapshotFiles(url)).toEqual(before);
    });
  }

  it("refuses a label written at the head's current revision by a transaction that did not bump the head, even audited", () => {
    // A head bumped by someone else first (Mende's row is now older than the head): a running
    // process that has read this revision refreshes only newer rows and would never see the write.
    psqlAt(url, "UPDATE domaines.ledger_head SET revision = revision + 1");
    const before = snapshotFiles(url);
    const sql = `BEGIN;
      INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after) SELECT 'hand', 'change', 0, 1, '2026-01-01T00:00:00.000Z', 'hand', 'psql', 'mende', entry, entry || '{"name":"Ailleurs"}' FROM domaines.ledger_entries WHERE label = 'mende';
      UPDATE domaines.ledger_entries SET entry = entry || '{"name":"Ailleurs"}', revision = (SELECT revision FROM domaines.ledger_head) WHERE label = 'mende'; COMMIT;`;
    expect(() => psqlAt(url, sql)).toThrow(/label "mende" written at revision \d+ without bumping domaines\.ledger_head in the same transaction/);
    expect(snapshotFiles(url)).toEqual(before);
  });

  it("refuses a tombstone revived, even audited", async () => {
    const store = openLedgerStore(url);
    const florac = (await store.read()).find((e) => e.label === "florac-trois-rivieres")!;
    const tomb: LedgerEntry = { ...florac, state: "tombstone", tombstonedAt: "2026-06-01T00:00:00.000Z" };
    await store.transact({ actor: "test", command: "tombstone" }, () => ({ put: [tomb], result: null }));
    await store.close();
    const before = snapshotFiles(url);
    expect(() =>
      psqlAt(url, `BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1;
        INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after) SELECT 'hand', 'change', 0, 1, '2026-01-01T00:00:00.000Z', 'hand', 'psql', label, entry, entry - 'tombstonedAt' || '{"state":"allocated"}' FROM domaines.ledger_entries WHERE label = 'florac-trois-rivieres';
        UPDATE domaines.ledger_entries SET entry = entry - 'tombstonedAt' || '{"state":"allocated"}', revision = (SELECT revision FROM domaines.ledger_head) WHERE label = 'florac-trois-rivieres'; COMMIT;`),
    ).toThrow(/label "florac-trois-rivieres" is a tombstone; tombstones are never reused/);
    expect(snapshotFiles(url)).toEqual(before);
    expect(cli(url, ["validate"]).code).toBe(0);
  });

  it("a hand change that the triggers let through (audited, before and after right) but that breaks a rule: validate names it, writes refuse", () => {
    // An alias of a commune that holds no label, audited by hand: the database cannot know the rule, the code does.
    psqlAt(url, `BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1;
      INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after) VALUES ('hand', 'change', 0, 1, '2026-01-01T00:00:00.000Z', 'hand', 'psql', 'ancienne', NULL,
        '{"label":"ancienne","state":"alias","key":"200000001","aliasOf":"999999999","allocatedAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}');
      INSERT INTO domaines.ledger_entries (label, entry, revision) VALUES ('ancienne',
        '{"label":"ancienne","state":"alias","key":"200000001","aliasOf":"999999999","allocatedAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}', (SELECT revision FROM domaines.ledger_head)); COMMIT;`);
    const v = cli(url, ["validate"]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/domaines\.ledger_entries: label "ancienne": alias of 999999999, which holds no allocated label/);
    const before = snapshotFiles(url);
    const r = cli(url, ["allocate", "Langogne", "--json"]);
    expect(r.code).toBe(1);
    expect(jsonError(r)).toMatchObject({ code: "refused", message: expect.stringMatching(/the ledger would break its invariants:\n {2}label "ancienne": alias of 999999999/) });
    expect(snapshotFiles(url)).toEqual(before);
  });
});

describe("failures are clear errors with a stable code, and the password is never printed", () => {
  const outputs: string[] = [];
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): CliResult => {
    const r = runCli([...args, "--json"], { env });
    outputs.push(r.stdout, r.stderr);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    return r;
  };
  afterAll(() => {
    const all = outputs.join("\n");
    expect(all).not.toContain(c.password);
    expect(all).not.toContain("wrong-secret");
  });

  it("a database without the schema: run migrate-schema", () => {
    const url = c.url(c.createDatabase());
    const r = run(["allocate", "Mende", "--ledger", url]);
    expect(r.code).toBe(1);
    expect(jsonError(r)).toMatchObject({ code: "database", message: expect.stringMatching(/has no domaines schema yet; create it with `domaines ledger migrate-schema/) });
    expect(jsonError(r).message).toContain(redactPostgresUrl(url));
  });

  it("a database that does not exist, a wrong password, a server that does not answer", async () => {
    const missing = run(["check", "mende", "--ledger", c.url("nowhere")]);
    expect(jsonError(missing)).toMatchObject({ code: "database", message: expect.stringMatching(/database .* does not exist/) });
    const url = migratedDatabase(c);
    const wrong = run(["validate", "--ledger", url.replace(c.password, "wrong-secret")]);
    expect(wrong.code).toBe(1);
    expect(jsonError(wrong)).toMatchObject({ code: "database", message: expect.stringMatching(/refused the login \(password authentication failed for user "domaines"\); check the user and password/) });
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port: p } = s.address() as { port: number };
        s.close(() => resolve(p));
      });
    });
    const down = run(["allocate", "Mende", "--ledger", `postgres://domaines:${c.password}@127.0.0.1:${port}/x`]);
    expect(jsonError(down)).toMatchObject({ code: "database", exitCode: 1, message: `cannot reach the database postgres://domaines@127.0.0.1:${port}/x (connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)); check that PostgreSQL runs there and the URL (host, port, database) in --ledger / DOMAINES_LEDGER.` });
  });

  it("validate, allocate and export name the ledger by its URL without the password", () => {
    const url = migratedDatabase(c);
    expect(run(["allocate", "Mende", "--ledger", url]).code).toBe(0);
    const v = run(["validate", "--ledger", url]);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, ledger: `postgres://domaines@127.0.0.1:${c.port}/${new URL(url).pathname.slice(1)}` });
    expect(run(["export", "--format", "csv", "--ledger", url]).code).toBe(0);
    expect(run(["onboard", "Mende", "--services", "messages", "--ledger", url], { DOMAINES_LEDGER: url }).code).toBe(0);
  });

  it("plan reads a database ledger as it reads a directory: the same plan as a file copy of it", () => {
    const url = migratedDatabase(c);
    expect(run(["allocate", "--departement", "48", "--ledger", url, "--actor", "test"]).code).toBe(0);
    expect(run(["onboard", "Mende", "--services", "messages", "--ledger", url, "--actor", "test"]).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "pg-plan-"));
    try {
      const files = join(dir, "ledger");
      expect(run(["ledger", "copy", "--from", url, "--to", files, "--actor", "test"]).code).toBe(0);
      const onDb = run(["plan", "--departement", "48", "--json", "--ledger", url]);
      expect(onDb.code, onDb.stderr).toBe(0);
      expect(onDb.stdout).toContain('"mende"');
      expect(onDb.stdout).toBe(run(["plan", "--departement", "48", "--json", "--ledger", files]).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("redacts a password wherever the URL carries it", () => {
    expect(redactPostgresUrl("postgres://u:s3cr/t@x@db.internal:5432/ledger?sslmode=require")).toBe("postgres://u@db.internal:5432/ledger?sslmode=require");
    expect(redactPostgresUrl("postgresql:///ledger?host=/run/postgresql&password=s3cret&user=u")).toBe("postgresql:///ledger?host=/run/postgresql&user=u");
    expect(redactPostgresUrl("postgres:///ledger?password=s3cret")).toBe("postgres:///ledger");
    expect(redactPostgresUrl("postgres://db/ledger")).toBe("postgres://db/ledger");
  });
});

describe("migrate-schema", () => {
  it("applies the schema once, under a lock: four at once on a new database, then again, change nothing more", async () => {
    const url = c.url(c.createDatabase());
    const runs = await Promise.all([1, 2, 3, 4].map(() => runCliAsync(["ledger", "migrate-schema", "--ledger", url, "--json"])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const applied = runs.map((r) => (JSON.parse(r.stdout) as { applied: unknown[] }).applied.length).sort();
    expect(applied).toEqual([0, 0, 0, 3]);
    expect(psqlAt(url, "SELECT version || ' ' || name FROM domaines.schema_migrations")).toEqual(["1 ledger", "2 tokens_usage", "3 head_bumped_by_writer"]);
    const again = runCli(["ledger", "migrate-schema", "--ledger", url]);
    expect(again.stdout).toMatch(/the schema is up to date \(version 3\)/);
  });

  it("refuses a database whose applied migration was edited, or newer than this domaines", async () => {
    const url = migratedDatabase(c);
    const db = new URL(url).pathname.slice(1);
    c.psql("UPDATE domaines.schema_migrations SET sha256 = repeat('0', 64)", db);
    for (const args of [["ledger", "migrate-schema"], ["check", "mende"]]) {
      const r = runCli([...args, "--ledger", url, "--json"]);
      expect(jsonError(r)).toMatchObject({ code: "database", message: expect.stringMatching(/database migration 0001_ledger\.sql differs from the one applied/) });
    }
    const newer = migratedDatabase(c);
    c.psql("INSERT INTO domaines.schema_migrations (version, name, sha256) VALUES (4, 'future', repeat('0', 64))", new URL(newer).pathname.slice(1));
    expect(jsonError(runCli(["allocate", "Mende", "--ledger", newer, "--json"]))).toMatchObject({ code: "database", message: expect.stringMatching(/has schema version 4, newer than this domaines knows \(3\); upgrade domaines/) });
  });

  it("refuses a directory", () => {
    const r = runCli(["ledger", "migrate-schema", "--ledger", "/tmp", "--json"]);
    expect(r.code).toBe(2);
    expect(jsonError(r).message).toMatch(/is a directory \(the file store\), which has no schema to migrate/);
  });
});

describe("writers wait for each other, and a deadlock is retried a bounded number of times", () => {
  let url: string;
  beforeAll(() => {
    url = migratedDatabase(c);
    expect(cli(url, ["allocate", "Mende"]).code).toBe(0);
  });

  it("a writer that waits longer than DOMAINES_LOCK_WAIT_MS gives up with code locked, writing nothing", async () => {
    const holder = await admin(url);
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT revision FROM domaines.ledger_head FOR UPDATE");
      const before = snapshotFiles(url);
      const r = cli(url, ["onboard", "Mende", "--services", "messages", "--json"], { DOMAINES_LOCK_WAIT_MS: "1500" });
      expect(r.code).toBe(1);
      expect(jsonError(r)).toMatchObject({ code: "locked", message: expect.stringMatching(/stayed locked by another writer longer than DOMAINES_LOCK_WAIT_MS \(1500 ms\)/) });
      expect(snapshotFiles(url)).toEqual(before);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
  });

  /** Makes the store's transaction deadlock with another one: it holds a row the store writes, then asks for the head the store holds. */
  async function deadlocked(retries: string): Promise<unknown> {
    const other = await admin(url);
    const store = openLedgerStore(url, { ...process.env, DOMAINES_DB_RETRIES: retries });
    try {
      await other.query("BEGIN");
      await other.query("SET LOCAL deadlock_timeout = '60s'"); // the store's backend is the one that detects the deadlock, after its 1 s
      await other.query("SELECT 1 FROM domaines.ledger_entries WHERE label = 'mende' FOR UPDATE");
      const mende = (await store.read()).find((e) => e.label === "mende")!;
      const enrolled = { ...mende, services: { messages: { enrolledAt: "2026-01-01T00:00:00.000Z", quotas: {} } } };
      const write = store.transact({ actor: "test", command: "deadlocked write" }, () => ({ put: [enrolled], result: "written" })).then(
        (u) => u,
        (e: unknown) => e,
      );
      // Once the store waits for the row, ask for the head it holds: a cycle.
      for (let i = 0; ; i++) {
        const waiting = c.psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'domaines' AND wait_event_type = 'Lock' AND datname = '${new URL(url).pathname.slice(1)}'`);
        if (waiting === "1") break;
        if (i > 600) throw new Error("the store never waited for the row");
        await new Promise((r) => setTimeout(r, 50));
      }
      await other.query("SELECT revision FROM domaines.ledger_head FOR UPDATE");
      await other.query("ROLLBACK");
      return await write;
    } finally {
      await other.end();
      await store.close();
    }
  }

  it("with DOMAINES_DB_RETRIES=0 the deadlock is an error naming the limit, nothing written", async () => {
    const before = snapshotFiles(url);
    const err = await deadlocked("0");
    expect(err).toBeInstanceOf(DomainesError);
    expect(err).toMatchObject({ code: "limit", details: { limit: "DOMAINES_DB_RETRIES", retries: 0, sqlstate: "40P01" } });
    expect((err as Error).message).toMatch(/refused deadlocked write 1 time\(s\) in a row \(deadlock with concurrent writers, SQLSTATE 40P01\) and the retry limit DOMAINES_DB_RETRIES=0 is reached; nothing was written/);
    expect(snapshotFiles(url)).toEqual(before);
  });

  it("by default the deadlocked transaction runs again and lands once", async () => {
    const u = (await deadlocked("5")) as { result: string; tx: string };
    expect(u.result).toBe("written");
    expect(psqlAt(url, `SELECT count(*) FROM domaines.audit_log WHERE command = 'deadlocked write'`)).toEqual(["1"]);
    expect(cli(url, ["check", "mende"]).stdout).toMatch(/enrolled in messages/);
    expect(cli(url, ["validate"]).code).toBe(0);
  });
});

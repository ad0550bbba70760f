import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { openLedgerStore } from "../../src/ledger/open.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";
import { runCliAsync } from "../support/cli.js";
import { migratedDatabase, usePostgres, type PgCluster } from "../support/postgres.js";
import { auditRecords, cli, ledgerLines } from "./support/ledger-dir.js";

/**
 * Issue 13's crash proofs on a real server: writers killed with SIGKILL in the middle of
 * their transactions, and the server itself restarted (crash-like, `-m immediate`) while a
 * command writes. No partial transaction is ever visible, the client says clearly what
 * happened, and the next command succeeds.
 */
const WORKER = fileURLToPath(new URL("./support/allocate-worker.mjs", import.meta.url));
const MID_TRANSACTION_KILLS = 30;
const MAX_TRIALS = 90;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cluster = usePostgres();
let c: PgCluster;
let watcher: pg.Client;
/** The test's own connection (superuser, through the socket) that watches the server; reopened after a restart. */
async function connectWatcher(): Promise<void> {
  watcher = new pg.Client({ host: c.socketDir, port: c.port, user: "postgres", database: "postgres" });
  watcher.on("error", () => {}); // cut off by a restart: reopened by the test
  await watcher.connect();
}
beforeAll(async () => {
  c = await cluster();
  await connectWatcher();
});
afterAll(async () => {
  await watcher?.end().catch(() => {});
});

const dbOf = (url: string) => new URL(url).pathname.slice(1);

/** Every audited transaction complete (all `of` rows), and the ledger equal to the log replayed (validate). */
async function expectWhole(url: string): Promise<void> {
  const store = openLedgerStore(url);
  try {
    expect(await store.validate(loadReservedLabels())).toMatchObject({ ok: true, problems: [] });
  } finally {
    await store.close();
  }
  const byTx = new Map<string, { of: number; n: number }>();
  for (const a of auditRecords(url) as { tx: string; of?: number }[]) {
    if (a.of === undefined) continue;
    const t = byTx.get(a.tx) ?? { of: a.of, n: 0 };
    t.n++;
    byTx.set(a.tx, t);
  }
  for (const [tx, t] of byTx) expect(t.n, tx).toBe(t.of);
}

describe("kill -9 of writers in the middle of their transactions", () => {
  let url: string;
  beforeAll(() => {
    url = migratedDatabase(c);
    expect(cli(url, ["allocate", "--departement", "48"]).code).toBe(0);
  });

  it(`leaves no partial transaction after each of ${MID_TRANSACTION_KILLS}+ kills inside a transaction, and the next writer proceeds`, async () => {
    const communes = loadCommunes().communes.filter((x) => x.departement !== "48");
    const rollbacks = async () => Number((await watcher.query("SELECT xact_rollback::text AS n FROM pg_stat_database WHERE datname = $1", [dbOf(url)])).rows[0].n);
    let midTransaction = 0;
    let trials = 0;
    let offset = 0;
    while (midTransaction < MID_TRANSACTION_KILLS && trials < MAX_TRIALS) {
      const name = `crash-${trials++}`;
      const keys = communes.slice(offset, offset + 200).map((x) => x.key);
      offset += 30;
      const child = spawn(process.execPath, [WORKER, `${url}?application_name=${name}`, name, keys.join(",")], { stdio: ["ignore", "pipe", "pipe"] });
      let printed = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (printed += d));
      const exited = new Promise((r) => child.on("exit", r));
      while (!printed.includes("\n")) await sleep(10); // its first transaction committed
      const before = await rollbacks();
      // Kill it while its backend is inside a transaction (between BEGIN and COMMIT).
      for (let i = 0; i < 400; i++) {
        const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'", [name]);
        if (rows.length > 0) break;
        await sleep(2);
      }
      child.kill("SIGKILL");
      await exited;
      // The server rolls the dead client's transaction back as soon as it sees the socket closed.
      for (let i = 0; (await watcher.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [name])).rows.length > 0; i++) {
        if (i > 1000) throw new Error(`the backend of ${name} never went away`);
        await sleep(10);
      }
      if ((await rollbacks()) > before) midTransaction++;
      // What the writer reported as done is in the ledger; nothing else is half there.
      const held = new Map((ledgerLines(url) as { key: string; label: string; state: string }[]).filter((e) => e.state === "allocated").map((e) => [e.key, e.label]));
      for (const line of printed.trim().split("\n")) {
        const r = JSON.parse(line) as { key: string; label: string };
        expect(held.get(r.key), r.key).toBe(r.label);
      }
      await expectWhole(url);
    }
    console.log(`pg crash test: ${trials} kills, ${midTransaction} of them inside a transaction (rolled back by the server)`);
    expect(midTransaction).toBeGreaterThanOrEqual(MID_TRANSACTION_KILLS);
    const next = cli(url, ["allocate", "Mende", "--json"]);
    expect(next.code, next.stderr).toBe(0);
    expect(cli(url, ["validate"]).code).toBe(0);
  }, 1_200_000);
});

describe("a PostgreSQL restart during a run", () => {
  it("a command writing when the server crashes fails clearly (code database, nothing partial), and the next command succeeds", async () => {
    const url = migratedDatabase(c);
    expect(cli(url, ["allocate", "Mende"]).code).toBe(0);
    const labelsBefore = ledgerLines(url).length;
    const run = runCliAsync(["allocate", "--all", "--json", "--ledger", `${url}?application_name=restart-victim`, "--actor", "test"]);
    for (let i = 0; ; i++) {
      const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'restart-victim' AND state = 'idle in transaction'");
      if (rows.length > 0) break;
      if (i > 6000) throw new Error("the command never began its transaction");
      await sleep(5);
    }
    await watcher.end();
    c.restart("immediate");
    const r = await run;
    await connectWatcher();
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("database");
    expect(error.message).toMatch(/^lost the connection to the database postgres:\/\/domaines@127\.0\.0\.1:\d+\/\w+\?application_name=restart-victim (during|while committing) domaines allocate/);
    expect(error.message).not.toContain(c.password);
    // Nothing of the interrupted transaction is visible, and the same command then succeeds.
    expect(ledgerLines(url)).toHaveLength(labelsBefore);
    await expectWhole(url);
    const again = cli(url, ["allocate", "--all", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(ledgerLines(url)).toHaveLength(36_445); // every commune of COG 2026 and the 1,482 homonym groups' slugs
    await expectWhole(url);
  }, 600_000);

  it("a long-lived store (a server) keeps working across a restart: the transaction after it opens a new connection", async () => {
    const url = migratedDatabase(c);
    const store = openLedgerStore(url);
    try {
      expect(cli(url, ["allocate", "Mende", "Marvejols"]).code).toBe(0);
      const mende = (await store.read()).find((e) => e.label === "mende")!;
      await watcher.end();
      c.restart("fast");
      await connectWatcher();
      const enrolled = { ...mende, services: { messages: { enrolledAt: "2026-01-01T00:00:00.000Z", quotas: {} } } };
      const u = await store.transact({ actor: "test", command: "after the restart" }, () => ({ put: [enrolled], result: "ok" }));
      expect(u.result).toBe("ok");
      expect(cli(url, ["check", "mende"]).stdout).toMatch(/enrolled in messages/);
    } finally {
      await store.close();
    }
    await expectWhole(url);
  }, 300_000);
});

import type { Pool, PoolClient } from "pg";
import { DomainesError, FailureError } from "../../errors.js";
import { lockWaitMs } from "../lock.js";
import { requireCurrentSchema } from "./migrate.js";
import { redactPostgresUrl } from "./url.js";

/**
 * One PostgreSQL database, as every part of domaines that keeps data there reaches it (the
 * ledger store; tokens and the usage history through their own tables, added by
 * migrations): a connection pool opened on first use, transactions with bounded retries on
 * serialization failures and deadlocks, and database failures turned into clear errors
 * with a stable code that never show the URL's password. Nothing here is held in process
 * memory across machines: the locks are the database's, so several processes on several
 * machines may share it.
 */
export type PgClient = PoolClient;

export interface TransactionOptions {
  /** Retry on 40001/40P01 (default true); a migration is run once. */
  retry?: boolean;
  readOnly?: boolean;
  isolation?: "read committed" | "repeatable read" | "serializable";
  /** How long a statement waits for a row lock before giving up (default DOMAINES_LOCK_WAIT_MS). */
  lockTimeoutMs?: number;
  /** Skip the schema version check (migrate-schema itself). */
  anySchema?: boolean;
  /**
   * When the connection is lost while COMMIT is under way, the outcome is unknown: this asks
   * a fresh connection whether the transaction landed (e.g. its tx id in the audit log).
   */
  landed?: (client: PgClient) => Promise<boolean>;
}

const RETRIABLE = new Set(["40001", "40P01"]);
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ENOENT"]);
const DEFAULT_RETRIES = 5;

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new FailureError(`${name}=${JSON.stringify(raw)} must be a whole number, at least ${min}.`, "invalid-input");
  return n;
}

/** How many times a transaction refused for a serialization failure or a deadlock is run again (DOMAINES_DB_RETRIES, default 5). */
export function dbRetries(env: NodeJS.ProcessEnv = process.env): number {
  return envInt(env, "DOMAINES_DB_RETRIES", DEFAULT_RETRIES, 0);
}

interface PgErrorLike {
  code?: string;
  message: string;
  detail?: string;
  severity?: string;
  constraint?: string;
}

/** An error the server sent (it has a SQLSTATE and a severity). */
function sqlState(err: unknown): string | null {
  const e = err as PgErrorLike | null;
  return e && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === "string" ? e.code : null;
}

/** The connection broke (network, server shut down or restarted), as opposed to an SQL error on a live connection. */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as PgErrorLike | null;
  if (!e || typeof e.message !== "string") return false;
  const state = sqlState(err);
  if (state !== null) return state.startsWith("08") || state === "57P01" || state === "57P02" || state === "57P03";
  if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|Client was closed|not queryable/i.test(e.message);
}

function cause(err: unknown): string {
  const e = err as PgErrorLike;
  const state = sqlState(err);
  return `${e.message}${state ? ` (SQLSTATE ${state})` : typeof e.code === "string" ? ` (${e.code})` : ""}`;
}

export class PgDatabase {
  readonly location: string;
  private pool: Promise<Pool> | null = null;
  private schema: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly url: string, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.location = redactPostgresUrl(url);
  }

  private openPool(): Promise<Pool> {
    this.pool ??= (async () => {
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({
        connectionString: this.url,
        max: envInt(this.env, "DOMAINES_DB_POOL_MAX", 10, 1),
        connectionTimeoutMillis: envInt(this.env, "DOMAINES_DB_CONNECT_TIMEOUT_MS", 10_000, 1),
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        // A CLI command ends when its work is done, without waiting for idle connections to time out.
        allowExitOnIdle: true,
        application_name: "domaines",
      });
      // An idle connection broken by a server restart: the pool drops it and the next
      // checkout opens a fresh one. Without a listener, the process would crash.
      pool.on("error", () => {});
      // The same for a connection in use (the server restarted while this process computes
      // inside a transaction): the client then refuses its next query, which is reported.
      pool.on("connect", (client) => client.on("error", () => {}));
      return pool;
    })();
    return this.pool;
  }

  /** A connection from the pool; failures to connect are named with the redacted URL. */
  async connect(doing: string): Promise<PgClient> {
    if (this.closed) throw new FailureError(`internal: the database ${this.location} was closed before ${doing}`, "internal");
    const pool = await this.openPool();
    try {
      return await pool.connect();
    } catch (err) {
      throw this.error(err, doing, "connect");
    }
  }

  private async requireSchema(doing: string): Promise<void> {
    this.schema ??= (async () => {
      const client = await this.connect(doing);
      try {
        await requireCurrentSchema(client, this.location);
      } finally {
        client.release();
      }
    })();
    try {
      await this.schema;
    } catch (err) {
      this.schema = null;
      throw err instanceof DomainesError ? err : this.error(err, doing, "query");
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED unless asked: writers serialise on a row
   * lock, see the ledger store) and commits; on a serialization failure or a deadlock,
   * rolls back and runs it again, up to DOMAINES_DB_RETRIES times, then gives up with an
   * error naming that limit. `fn` may run several times: it must not act outside the
   * database before it returns.
   */
  async transaction<T>(doing: string, fn: (client: PgClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (!options.anySchema) await this.requireSchema(doing);
    const retries = options.retry === false ? 0 : dbRetries(this.env);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(doing, fn, options);
      } catch (err) {
        const state = sqlState(err);
        if (state === null || !RETRIABLE.has(state)) throw err instanceof DomainesError ? err : this.error(err, doing, "query");
        if (attempt >= retries) {
          throw new FailureError(
            `the database ${this.location} refused ${doing} ${attempt + 1} time(s) in a row (${state === "40P01" ? "deadlock" : "serialization failure"} with concurrent writers, SQLSTATE ${state}) and the retry limit DOMAINES_DB_RETRIES=${retries} is reached; nothing was written: run the command again.`,
            "limit",
            { details: { limit: "DOMAINES_DB_RETRIES", retries, sqlstate: state } },
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * (1 + Math.random())));
      }
    }
  }

  /** A pooled connection on which BEGIN went through: one the server dropped while idle (a restart) is replaced once. */
  private async begin(doing: string, options: TransactionOptions): Promise<PgClient> {
    const sql = `BEGIN ISOLATION LEVEL ${(options.isolation ?? "read committed").toUpperCase()}${options.readOnly ? " READ ONLY" : ""}`;
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect(doing);
      try {
        await client.query(sql);
        return client;
      } catch (err) {
        client.release(err as Error);
        if (attempt > 0 || !isConnectionFailure(err)) throw err;
      }
    }
  }

  private async once<T>(doing: string, fn: (client: PgClient) => Promise<T>, options: TransactionOptions): Promise<T> {
    const client = await this.begin(doing, options);
    let broken: unknown = null;
    try {
      const wait = options.lockTimeoutMs ?? lockWaitMs();
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(wait))}`);
      const result = await fn(client);
      try {
        await client.query("COMMIT");
      } catch (err) {
        if (!isConnectionFailure(err)) throw err;
        broken = err;
        return await this.settleInDoubt(doing, err, result, options);
      }
      return result;
    } catch (err) {
      if (broken === null && isConnectionFailure(err)) broken = err;
      if (broken === null) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackErr) {
          broken = rollbackErr;
        }
      }
      throw err;
    } finally {
      client.release(broken === null ? undefined : (broken as Error));
    }
  }

  /** COMMIT was sent and the connection broke: ask a new connection whether the transaction is there. */
  private async settleInDoubt<T>(doing: string, err: unknown, result: T, options: TransactionOptions): Promise<T> {
    if (!options.landed) throw this.error(err, doing, "commit");
    let landed: boolean;
    try {
      const client = await this.connect(doing);
      try {
        landed = await options.landed(client);
      } finally {
        client.release();
      }
    } catch {
      throw this.error(err, doing, "commit");
    }
    if (landed) return result;
    throw new FailureError(`lost the connection to the database ${this.location} while committing ${doing} (${cause(err)}); the transaction did not land, nothing was written: run the command again.`, "database");
  }

  /** A database failure as the error the user sees: a stable code, the redacted URL, what to do. */
  error(err: unknown, doing: string, stage: "connect" | "query" | "commit"): Error {
    if (err instanceof DomainesError) return err;
    const state = sqlState(err);
    const e = err as PgErrorLike;
    const where = this.location;
    if (state === "55P03") {
      return new FailureError(`the ledger in ${where} stayed locked by another writer longer than DOMAINES_LOCK_WAIT_MS (${lockWaitMs()} ms) during ${doing}; nothing was written: run the command again once that writer has finished.`, "locked");
    }
    if (state !== null && (state.startsWith("DM") || state === "23505" || state === "23P01" || state === "23514" || state === "23502")) {
      return new FailureError(`refused, nothing written: the database refused ${doing}: ${e.message}${e.detail ? ` (${e.detail})` : ""}.`, "refused", { details: { sqlstate: state, ...(e.constraint ? { constraint: e.constraint } : {}) } });
    }
    if (state === "3D000") return new FailureError(`the database in ${where} does not exist (${e.message}); create it (createdb), then run \`domaines ledger migrate-schema\`.`, "database", { details: { sqlstate: state } });
    if (state === "28P01" || state === "28000") return new FailureError(`the database ${where} refused the login (${e.message}); check the user and password of the URL in --ledger / DOMAINES_LEDGER.`, "database", { details: { sqlstate: state } });
    if (state === "42501") return new FailureError(`the database user of ${where} may not ${doing} (${e.message}); grant it the privileges the README lists.`, "database", { details: { sqlstate: state } });
    if (isConnectionFailure(err)) {
      if (stage === "connect") return new FailureError(`cannot reach the database ${where} (${cause(err)}); check that PostgreSQL runs there and the URL (host, port, database) in --ledger / DOMAINES_LEDGER.`, "database", { details: { stage } });
      if (stage === "commit") return new FailureError(`lost the connection to the database ${where} while committing ${doing} (${cause(err)}); whether it landed is unknown: run \`domaines validate\`, then the command again (it is idempotent).`, "database", { details: { stage } });
      return new FailureError(`lost the connection to the database ${where} during ${doing} (${cause(err)}); the transaction was rolled back, nothing was written: run the command again once the database answers.`, "database", { details: { stage } });
    }
    if (state !== null) return new FailureError(`the database ${where} failed during ${doing}: ${cause(err)}.`, "database", { details: { sqlstate: state } });
    return err instanceof Error ? err : new Error(String(err)); // a bug, not a database failure: keep its stack
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool).end();
  }
}

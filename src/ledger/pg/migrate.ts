import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FailureError } from "../../errors.js";
import type { PgClient, PgDatabase } from "./database.js";

/**
 * The database schema, as numbered SQL files in ./migrations (copied beside the compiled
 * module by the build): `NNNN_name.sql`, applied in order, each once, recorded with its
 * SHA-256 in domaines.schema_migrations. Another part of domaines that keeps tables in
 * the same database (tokens, usage history) adds its own numbered file here.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Any constant: two migrate-schema runs at once wait for each other (pg_advisory_xact_lock). */
const MIGRATION_LOCK = 7_236_115_913_742_001n;

export function migrationsDir(): string {
  return fileURLToPath(new URL("./migrations/", import.meta.url));
}

let known: Migration[] | undefined;

/** The migrations this domaines ships, in order (a gap or a duplicate number is a bug). */
export function knownMigrations(): Migration[] {
  if (known) return known;
  const dir = migrationsDir();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => FILE.test(n)).sort();
  } catch (err) {
    throw new FailureError(`cannot read the database migrations in ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); run \`npm run build\`, which copies them.`, "internal");
  }
  known = names.map((file, i) => {
    const [, num, name] = FILE.exec(file)!;
    const version = Number(num);
    if (version !== i + 1) throw new FailureError(`database migration ${file} is numbered ${version}, expected ${i + 1}: migrations are numbered 0001, 0002, … without gaps.`, "internal");
    const sql = readFileSync(`${dir}${file}`, "utf8");
    return { version, name: name!, sql, sha256: createHash("sha256").update(sql).digest("hex") };
  });
  return known;
}

export function latestVersion(): number {
  return knownMigrations().length;
}

export interface MigrationReport {
  database: string;
  /** Versions applied by this run, with their names. */
  applied: { version: number; name: string }[];
  version: number;
}

/**
 * Applies the migrations the database lacks, in one transaction under an advisory lock
 * (several processes may run this at once: one applies, the others then find nothing to do).
 * Refuses a database whose applied migrations differ from the files (edited after being
 * applied) or that is newer than this domaines.
 */
export async function migrateSchema(db: PgDatabase): Promise<MigrationReport> {
  const migrations = knownMigrations();
  const applied = await db.transaction("migrate the schema", async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
    await client.query("CREATE SCHEMA IF NOT EXISTS domaines");
    await client.query(`CREATE TABLE IF NOT EXISTS domaines.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await appliedMigrations(client);
    checkApplied(db.location, done, migrations);
    const todo = migrations.filter((m) => !done.has(m.version));
    for (const m of todo) {
      await client.query(m.sql);
      await client.query("INSERT INTO domaines.schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", [m.version, m.name, m.sha256]);
    }
    return todo.map((m) => ({ version: m.version, name: m.name }));
  }, { retry: false, anySchema: true });
  return { database: db.location, applied, version: latestVersion() };
}

async function appliedMigrations(client: PgClient): Promise<Map<number, { name: string; sha256: string }>> {
  const { rows } = await client.query<{ version: number; name: string; sha256: string }>("SELECT version, name, sha256 FROM domaines.schema_migrations ORDER BY version");
  return new Map(rows.map((r) => [r.version, { name: r.name, sha256: r.sha256 }]));
}

function checkApplied(location: string, done: Map<number, { name: string; sha256: string }>, migrations: Migration[]): void {
  for (const [version, row] of done) {
    const m = migrations[version - 1];
    if (!m) {
      throw new FailureError(`the database ${location} has schema version ${Math.max(...done.keys())}, newer than this domaines knows (${migrations.length}); upgrade domaines before using this database.`, "database");
    }
    if (m.sha256 !== row.sha256) {
      throw new FailureError(`database migration ${String(version).padStart(4, "0")}_${m.name}.sql differs from the one applied to ${location} on its first run; an applied migration is never edited: restore the file and add a new migration instead.`, "database");
    }
  }
}

/**
 * Refuses, with what to do, a database whose schema is not the one this domaines expects
 * (never migrated, behind, or ahead). Called once per process before the first query.
 */
export async function requireCurrentSchema(client: PgClient, location: string): Promise<void> {
  const latest = latestVersion();
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('domaines.schema_migrations') IS NOT NULL AS exists");
  if (!rows[0]?.exists) {
    throw new FailureError(`the database ${location} has no domaines schema yet; create it with \`domaines ledger migrate-schema --ledger <url>\` (or DOMAINES_LEDGER=<url> domaines ledger migrate-schema).`, "database");
  }
  const done = await appliedMigrations(client);
  checkApplied(location, done, knownMigrations());
  if (done.size < latest) {
    throw new FailureError(`the database ${location} has schema version ${done.size}; this domaines needs ${latest}: run \`domaines ledger migrate-schema\` on it first.`, "database");
  }
}

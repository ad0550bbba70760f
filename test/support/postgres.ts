import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll } from "vitest";
import { postgresBinDir, startCluster, type PgCluster } from "./pg-cluster.mjs";
import { runCli } from "./cli.js";

export type { PgCluster } from "./pg-cluster.mjs";

/**
 * A throw-away PostgreSQL cluster for one test file (test/support/pg-cluster.mjs): started
 * on first use, stopped and removed after the file's tests. One per file, so that a test
 * restarting its server disturbs no other file running in parallel.
 */
export function usePostgres(): () => Promise<PgCluster> {
  let cluster: Promise<PgCluster> | null = null;
  afterAll(async () => {
    if (cluster) (await cluster).stop();
  });
  return () => (cluster ??= startCluster());
}

/** A new database on `cluster`, its schema created by `domaines ledger migrate-schema` (the real path); its URL. */
export function migratedDatabase(cluster: PgCluster): string {
  const url = cluster.url(cluster.createDatabase());
  const r = runCli(["ledger", "migrate-schema", "--ledger", url]);
  if (r.code !== 0) throw new Error(`migrate-schema failed: ${r.stderr}`);
  return url;
}

/** Runs SQL on the database of `url` with psql (as the URL's user), one output line a row. */
export function psqlAt(url: string, sql: string): string[] {
  const r = spawnSync(join(postgresBinDir(), "psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

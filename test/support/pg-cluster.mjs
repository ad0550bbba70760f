/**
 * A throw-away PostgreSQL cluster for the tests and benchmarks: Debian's postgresql
 * binaries (scripts/test-all.sh installs them), `initdb` in a temp dir, listening on
 * 127.0.0.1 on a free port and on a unix socket in that dir, stopped and removed by
 * stop(). initdb and postgres refuse to run as root: as root (CI), they run as the
 * `postgres` user (created by the Debian package) with `runuser`, and the dir is given to it.
 *
 * domaines connects over TCP as the role `domaines` with a password (scram-sha-256), as in
 * production, so that tests can prove the password is never printed; the tests' own
 * administration (createdb, restart, inspection) goes through the socket as `postgres`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The directory of initdb/pg_ctl/postgres: PG_BINDIR, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir() {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (install Debian's `postgresql`: scripts/test-all.sh does), or set PG_BINDIR");
  }
  return join(base, versions[0], "bin");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as `postgres` when we are root. */
function runServerTool(bin, args, options = {}) {
  const cmd = asRoot ? "runuser" : bin;
  const argv = asRoot ? ["-u", "postgres", "--", bin, ...args] : args;
  return execFileSync(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
}

/**
 * Starts a cluster. Returns its coordinates and helpers:
 * url(db) for domaines (password inside), psql(sql, db) for the tests, createDatabase(),
 * restart(mode), stop(). Call stop() in afterAll.
 */
export async function startCluster(prefix = "domaines-pg-") {
  const bin = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), prefix));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(root, uid, gid);
  }
  const data = join(root, "data");
  const log = join(root, "server.log");
  const password = `pw-${randomBytes(12).toString("hex")}`;
  runServerTool(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  // Test settings: no fsync (a killed server keeps its WAL in the page cache; only a machine
  // crash would lose it), a socket in the cluster's own dir, enough connections for the
  // concurrency tests.
  appendFileSync(
    join(data, "postgresql.conf"),
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${root}'`, "fsync = off", "full_page_writes = off", "max_connections = 120", "shared_buffers = 32MB", ""].join("\n"),
  );
  const pgCtl = (...args) => runServerTool(join(bin, "pg_ctl"), ["-D", data, "-l", log, "-w", "-t", "60", ...args]);
  pgCtl("start");

  const psql = (sql, db = "postgres") => {
    const r = spawnSync(join(bin, "psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", root, "-p", String(port), "-U", "postgres", "-d", db, "-c", sql], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}\n${sql.slice(0, 500)}`);
    return r.stdout.replace(/\n$/, "");
  };
  psql(`CREATE ROLE domaines LOGIN PASSWORD '${password}'`);
  let stopped = false;
  let dbCount = 0;
  return {
    port,
    socketDir: root,
    password,
    log,
    /** The URL domaines is given: TCP, role domaines, its password. */
    url: (db) => `postgres://domaines:${password}@127.0.0.1:${port}/${db}`,
    psql,
    /** A new, empty database owned by `domaines` (not migrated). */
    createDatabase(name = `ledger_${++dbCount}_${randomBytes(3).toString("hex")}`) {
      psql(`CREATE DATABASE ${name} OWNER domaines`);
      return name;
    },
    /** Restarts the server; `immediate` is a crash (no checkpoint, clients cut off). */
    restart(mode = "fast") {
      pgCtl("restart", "-m", mode);
    },
    stopServer(mode = "fast") {
      pgCtl("stop", "-m", mode);
    },
    startServer() {
      pgCtl("start");
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        pgCtl("stop", "-m", "immediate");
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli, runCliAsync, type CliResult } from "../support/cli.js";
import { startMessages } from "../support/servers/messages.js";
import { mountTinyFs, type TinyFs } from "../support/tiny-fs.js";
import { enrolled, operatorsJson, writeJson, writeLedger } from "../services/fixtures.js";

/**
 * Disk full, file too large, permission denied, read-only file system, too many open
 * files: real conditions (a 64 KB tmpfs, prlimit, another user), through the CLI. Each
 * is a clear error naming the path and the cause, exit 1 with code io, no stack trace,
 * and no temp file left behind.
 */

const root = mkdtempSync(join(tmpdir(), "domaines-envfail-"));
let ledger: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  ledger = join(root, "ledger");
  mkdirSync(ledger);
  expect(runCli(["allocate", "Mende", "Marvejols", "Langogne", "--ledger", ledger, "--actor", "test"]).code).toBe(0);
  // Readable by the unprivileged user of the EACCES case.
  chmodSync(root, 0o755);
  chmodSync(ledger, 0o755);
  for (const f of readdirSync(ledger)) chmodSync(join(ledger, f), 0o644);
});

/** Runs the CLI through a wrapper (prlimit, setpriv) as a real process. */
function runWrapped(wrapper: string[], args: string[]): CliResult {
  const r = spawnSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, CLI, ...args], { cwd: ROOT, encoding: "utf8" });
  if (r.error) throw new Error(`${wrapper[0]} could not run: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectIoError(r: CliResult, path: string, cause: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(`cannot write ${path}: `);
  expect(r.stderr).toMatch(cause);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  const error = (JSON.parse(r.stdout) as { error: { code: string; details: { path: string } } }).error;
  expect(error.code).toBe("io");
  expect(error.details.path).toBe(path);
}

describe("export --out", () => {
  let fs: TinyFs;
  beforeAll(() => {
    fs = mountTinyFs(64);
  });
  afterAll(() => fs.unmount());

  it("on a full disk: exit 1 naming the path and ENOSPC, no temp file left, the previous file intact", () => {
    const out = join(fs.dir, "ledger.json");
    writeFileSync(out, "previous export\n");
    fs.fill();
    const r = runCli(["export", "--format", "json", "--out", out, "--ledger", ledger, "--json"]);
    expectIoError(r, out, /ENOSPC \(no space left on the device\)/);
    expect(fs.entries()).toEqual(["ledger.json"]);
    expect(readFileSync(out, "utf8")).toBe("previous export\n");
  });

  it("past the process's file size limit (prlimit --fsize): exit 1 naming EFBIG, no temp file left", () => {
    const dir = mkdtempSync(join(root, "efbig-"));
    const out = join(dir, "lozere.zone");
    const r = runWrapped(["prlimit", "--fsize=512"], ["export", "--format", "zone", "--out", out, "--ledger", ledger, "--dkim", join(dir, "none.json"), "--json"]);
    expectIoError(r, out, /EFBIG \(the file is too large/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("into a directory the user may not write: exit 1 naming EACCES", () => {
    const dir = mkdtempSync(join(root, "eacces-"));
    chmodSync(dir, 0o755); // root's, so nobody (65534) may not create files there
    const out = join(dir, "ledger.csv");
    const r = runWrapped(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], ["export", "--format", "csv", "--out", out, "--ledger", ledger, "--json"]);
    expectIoError(r, out, /EACCES \(permission denied\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("on a read-only file system: exit 1 naming EROFS", () => {
    const ro = mountTinyFs(64);
    try {
      ro.remountReadOnly();
      const out = join(ro.dir, "ledger.json");
      expectIoError(runCli(["export", "--out", out, "--ledger", ledger, "--json"]), out, /EROFS \(the file system is read-only\)/);
    } finally {
      ro.unmount();
    }
  });

  it("into a directory that does not exist: exit 2, the path is the user's to fix", () => {
    const out = join(root, "no-such-dir", "x.json");
    const r = runCli(["export", "--out", out, "--ledger", ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write ${out}: ENOENT (no such file or directory)`);
  });
});

describe("the other writers outside the ledger", () => {
  it("token create on a full disk: exit 1 naming the token store and ENOSPC, no temp file left, the store as it was", () => {
    const fs = mountTinyFs(64);
    try {
      const store = join(fs.dir, "tokens.json");
      // A first token, then a full disk for the next one.
      expect(runCli(["token", "create", "--role", "support", "--tokens", store, "--ledger", ledger, "--actor", "test"]).code).toBe(0);
      const before = readFileSync(store, "utf8");
      fs.fill();
      const r = runCli(["token", "create", "--role", "support", "--tokens", store, "--ledger", ledger, "--actor", "test", "--json"]);
      // The full disk is met on the store's lock file, before anything is written.
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: "io" } });
      expect(r.stderr).toContain(`cannot lock the token store ${store} (${store}.lock): ENOSPC (`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(fs.entries()).toEqual(["tokens.json"]);
      expect(readFileSync(store, "utf8")).toBe(before);
    } finally {
      fs.unmount();
    }
  });

  it("dkim-sync on a full disk: exit 1 naming the DKIM store and ENOSPC, the store as it was", async () => {
    const server = await startMessages();
    const fs = mountTinyFs(64);
    try {
      server.createMailDomain("mende.collectivite.fr");
      const dir = mkdtempSync(join(root, "dkim-"));
      const enrolledLedger = writeLedger(dir, [enrolled("214800955", "mende", "Mende", "48", { messages: {} })]);
      const operators = writeJson(dir, "operators.json", operatorsJson("http://127.0.0.1:1/api/v1.0/", server.apiRoot, []));
      const store = join(fs.dir, "dkim.json");
      writeFileSync(store, "{}\n");
      fs.fill();
      const r = await runCliAsync(["dkim-sync", "--operators", operators, "--ledger", enrolledLedger, "--dkim", store, "--json"], {
        env: { DOMAINES_MESSAGES_API_KEY: server.apiKey, DOMAINES_MESSAGES_CHANNEL_ID: server.channelId },
      });
      expectIoError(r, store, /ENOSPC/);
      expect(readFileSync(store, "utf8")).toBe("{}\n");
      expect(fs.entries()).toEqual(["dkim.json"]);
    } finally {
      fs.unmount();
      await server.stop();
    }
  });
});

describe("errno errors that reach the CLI's top-level handler", () => {
  it("too many open files (a real EMFILE under prlimit --nofile) reads as the cause in words, code io", () => {
    const script = [
      `const { openSync } = require("node:fs");`,
      `import(${JSON.stringify(`${ROOT}/dist/src/io-errors.js`)}).then(({ ioError }) => {`,
      `  try { for (;;) openSync("/dev/null", "r"); } catch (err) {`,
      `    const e = ioError(err, { path: "/dev/null", action: "open" });`,
      `    console.log(JSON.stringify({ code: e.code, exitCode: e.exitCode, message: e.message }));`,
      `  }`,
      `});`,
    ].join("\n");
    const r = spawnSync("prlimit", ["--nofile=64", process.execPath, "-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ code: "io", exitCode: 1, message: "cannot open /dev/null: EMFILE (too many open files in this process, see ulimit -n)." });
  });

  it("check --stdin given a directory is a clear error naming standard input, not an internal one", () => {
    const fd = spawnSync("sh", ["-c", `exec ${process.execPath} ${CLI} check --stdin < /`], { cwd: ROOT, encoding: "utf8" });
    expect(fd.status).toBe(2);
    expect(fd.stderr).toMatch(/^domaines: cannot read standard input \(--stdin\): it is a directory; pipe or redirect a file of queries, one per line\.$/m);
    expect(fd.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

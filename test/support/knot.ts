import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A real knotd for the tests: runs as the current user on 127.0.0.1 and a free high
 * port, config, run dir and storage in a temp dir, stopped (and the dir removed) by
 * stop(). Never touches a system knotd (the Debian package may run one on port 53).
 */
export interface KnotServer {
  port: number;
  dir: string;
  /** "127.0.0.1:PORT", for `verify --resolver` and Resolver.setServers. */
  address: string;
  /** Replaces a zone's file and waits until knotd serves the new SOA serial. */
  replaceZone(zone: string, text: string): Promise<void>;
  /** knotd's log so far (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface ZoneToServe {
  zone: string;
  text: string;
}

/** A port free for both TCP and UDP on 127.0.0.1 (DNS uses both). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = createSocket("udp4");
      sock.once("error", () => resolve(false));
      sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(true)));
    });
    if (udpFree && port >= 1024) return port;
  }
  throw new Error("no free port for knotd on 127.0.0.1");
}

function serialOf(text: string): number {
  const m = /\bSOA\s+\S+\s+\S+\s+(\d+)/.exec(text);
  if (!m) throw new Error("zone text has no SOA serial");
  return Number(m[1]);
}

export async function startKnot(zones: readonly ZoneToServe[], options: { timeoutMs?: number } = {}): Promise<KnotServer> {
  const dir = mkdtempSync(join(tmpdir(), "domaines-knot-"));
  const port = await freePort();
  for (const sub of ["run", "db", "zones"]) mkdirSync(join(dir, sub));
  for (const z of zones) writeFileSync(join(dir, "zones", `${z.zone}.zone`), z.text);
  const conf = join(dir, "knot.conf");
  writeFileSync(
    conf,
    [
      "server:",
      `    rundir: "${join(dir, "run")}"`,
      `    listen: 127.0.0.1@${port}`,
      "    udp-workers: 1",
      "    tcp-workers: 1",
      "    background-workers: 1",
      "log:",
      "  - target: stderr",
      "    any: info",
      "database:",
      `    storage: "${join(dir, "db")}"`,
      "template:",
      "  - id: default",
      `    storage: "${join(dir, "zones")}"`,
      "    zonefile-sync: -1",
      "    journal-content: none",
      "zone:",
      ...zones.map((z) => `  - domain: ${z.zone}\n    file: "${z.zone}.zone"`),
      "",
    ].join("\n"),
  );

  let stderr = "";
  const child: ChildProcess = spawn("knotd", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  let exited = false;
  child.on("exit", () => (exited = true));

  const address = `127.0.0.1:${port}`;
  const waitForSerial = async (zone: string, serial: number) => {
    const resolver = new Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([address]);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (exited) throw new Error(`knotd exited:\n${stderr}`);
      try {
        const soa = await resolver.resolveSoa(zone);
        if (soa.serial === serial) return;
      } catch {
        // not loaded yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`knotd did not serve ${zone} serial ${serial} in time:\n${stderr}`);
  };

  const server: KnotServer = {
    port,
    dir,
    address,
    log: () => stderr,
    async replaceZone(zone, text) {
      writeFileSync(join(dir, "zones", `${zone}.zone`), text);
      await run("knotc", ["-c", conf, "zone-reload", zone]);
      await waitForSerial(zone, serialOf(text));
    },
    async stop() {
      if (!exited) {
        const done = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const z of zones) await waitForSerial(z.zone, serialOf(z.text));
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Runs a zone checker and returns its exit code and output (the tests assert on both). */
export async function checkZone(tool: "named-checkzone" | "kzonecheck", zone: string, file: string): Promise<{ code: number; output: string }> {
  const args = tool === "named-checkzone" ? ["-i", "local", "-M", "fail", zone, file] : ["-o", zone, file];
  try {
    const r = await run(tool, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

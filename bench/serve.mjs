// Issue 11 benchmark: the HTTP API under load, with autocannon, against a bare fastify route
// answering a constant, in the same run: GET /api/v1/check (a public, read-only answer) and
// an idempotent PUT /api/v1/communes/{key}/label (answered from the ledger cache, no lock).
// On a full ledger (allocate --all). Run after `npm run build`:
//   node bench/serve.mjs [seconds per target, default 10] [connections, default 10]
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const root = mkdtempSync(join(tmpdir(), "domaines-bench-serve-"));
const ledger = join(root, "ledger");
mkdirSync(ledger);
const cli = (...args) => execFileSync(process.execPath, ["dist/src/cli/main.js", ...args], { encoding: "utf8" });
cli("allocate", "--all", "--ledger", ledger);
const { token } = JSON.parse(cli("token", "create", "--role", "admin", "--json", "--ledger", ledger));

/** Starts a process that logs its URL on stdout, and keeps draining its output (JSON logs). */
function start(args, match) {
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d) => {
      buf += d.toString();
      const m = match.exec(buf);
      if (m) {
        proc.stdout.off("data", onData);
        proc.stdout.resume();
        resolve({ proc, url: m[1] });
      }
    };
    proc.stdout.on("data", onData);
    proc.on("exit", (code) => reject(new Error(`exited ${code}: ${buf}`)));
  });
}

// The same framework, the same logger (pino JSON lines, one per request start and end), a constant.
const BARE = `
  const app = require("fastify")({ logger: true });
  app.get("/bare", async () => ({ ok: true }));
  app.listen({ host: "127.0.0.1", port: 0 }).then((url) => console.log("BARE " + url));
`;

const domaines = await start(["dist/src/cli/main.js", "serve", "--port", "0", "--ledger", ledger, "--rate-limit", "1000000"], /"url":"(http:\/\/[^"]+)","ledger"/);
const bare = await start(["-e", BARE], /BARE (http:\/\/\S+)/);

/** CPU seconds a process has used (user + system, /proc/<pid>/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// On a shared machine requests per second depend on who else runs; the server's own CPU time
// per request does not, so both are reported and the ratio is taken on CPU time.
async function load(name, server, url, options = {}) {
  await autocannon({ url, connections, duration: 2, ...options }); // warm-up (JIT, caches)
  const cpu0 = cpuSeconds(server.proc.pid);
  const r = await autocannon({ url, connections, duration: seconds, ...options });
  const cpu = cpuSeconds(server.proc.pid) - cpu0;
  const non2xx = r.non2xx + r.errors + r.timeouts;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx, cpuUs: (cpu / r.requests.total) * 1e6 };
}

try {
  const auth = { authorization: `Bearer ${token}` };
  const rows = [
    await load("bare fastify route (constant)", bare, `${bare.url}/bare`),
    await load("GET /api/v1/check?q=mende", domaines, `${domaines.url}/api/v1/check?q=mende`),
    await load("GET /api/v1/check?q=saint-denis (homonyms)", domaines, `${domaines.url}/api/v1/check?q=saint-denis`),
    await load("PUT /api/v1/communes/214800955/label (held: 200)", domaines, `${domaines.url}/api/v1/communes/214800955/label`, { method: "PUT", headers: auth }),
  ];
  const base = rows[0];
  console.log(`HTTP API, ${connections} connections, ${seconds} s per target, full ledger (34,963 labels)`);
  console.log("target".padEnd(50), "req/s".padStart(8), "p50 ms".padStart(8), "p99 ms".padStart(8), "CPU µs/req".padStart(11), "CPU vs bare".padStart(12), "req/s vs bare".padStart(14), "non-2xx".padStart(8));
  for (const r of rows) {
    console.log(
      r.name.padEnd(50),
      r.rps.toFixed(0).padStart(8),
      String(r.p50).padStart(8),
      String(r.p99).padStart(8),
      r.cpuUs.toFixed(0).padStart(11),
      `${(r.cpuUs / base.cpuUs).toFixed(2)}×`.padStart(12),
      `${(base.rps / r.rps).toFixed(2)}×`.padStart(14),
      String(r.non2xx).padStart(8),
    );
  }
  const ratio = rows[1].cpuUs / base.cpuUs;
  console.log(`goal: check ≤ 3× the bare route per request (server CPU time): ${ratio.toFixed(2)}× ${ratio <= 3 ? "(met)" : "(not met)"}`);
} finally {
  domaines.proc.kill("SIGTERM");
  bare.proc.kill("SIGTERM");
  rmSync(root, { recursive: true, force: true });
}

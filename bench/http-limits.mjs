// Issue 10 benchmark: `domaines dkim-sync` as a whole process against Messages servers that
// misbehave, against the same command on a well-behaved server (the baseline): wall time
// and peak RSS. Without the limits, the 3 GB body killed the process at 6.2 GB RSS and the
// endless listing ran 10,000 pages and 3.1 GB. Run after `npm run build`:
//   node bench/http-limits.mjs [runs]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeLedger } from "../dist/src/ledger/codec.js";
import { ledgerEntrySchema } from "../dist/src/ledger/schema.js";
import { compare } from "./support/harness.mjs";

const runs = process.argv[2] === "--serve" ? 0 : Number(process.argv[2] ?? 3);
const KEY = "bench-messages-key";
const CHANNEL = "6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
const dir = mkdtempSync(join(tmpdir(), "domaines-bench-http-"));
const now = "2026-01-01T00:00:00.000Z";
mkdirSync(join(dir, "ledger"));
const mende = ledgerEntrySchema.parse({ label: "mende", state: "allocated", key: "214800955", name: "Mende", departement: "48", allocatedAt: now, updatedAt: now, services: { messages: { enrolledAt: now, quotas: {} } } });
writeFileSync(join(dir, "ledger", "ledger.jsonl"), serializeLedger([mende]));

const page = (body) => (res) => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
const dkim = `v=DKIM1; k=rsa; p=${"QUJD".repeat(90)}`;
const modes = {
  good: page(JSON.stringify({ next: null, results: [{ name: "mende.collectivite.fr", expected_dns_records: [{ target: "stmessages._domainkey", type: "txt", value: dkim }] }] })),
  huge: (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1 << 16, 0x20);
    let left = 3e9;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        left -= chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => (left = 0));
    pump();
  },
  endless: (res, url) => {
    const n = Number(url.searchParams.get("page") ?? "1");
    url.searchParams.set("page", String(n + 1));
    page(JSON.stringify({ next: url.toString(), results: Array.from({ length: 1000 }, (_, i) => ({ name: `p${n}-d${i}.example.org`, expected_dns_records: [] })) }))(res);
  },
};
if (process.argv[2] === "--serve") {
  // The servers live in a process of their own: compare() runs the CLI synchronously.
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url, `http://${req.headers.host}`);
    modes[url.pathname.split("/")[1]](res, url);
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
} else {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, "--serve"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  const cli = (mode, messages = {}) => {
    const operators = join(dir, `operators-${mode}.json`);
    writeFileSync(operators, JSON.stringify({ espaceOperateur: { url: "http://127.0.0.1:1/api/v1.0/", serviceIds: { messages: 2, fichiers: 12 } }, messages: { url: `http://127.0.0.1:${port}/${mode}/api/v1.0/`, ...messages }, operators: [] }));
    return ["dist/src/cli/main.js", "dkim-sync", "--dry-run", "--operators", operators, "--ledger", join(dir, "ledger"), "--dkim", join(dir, "dkim.json")];
  };
  // In this process's environment, so that the harness's unmeasured warm-up run has them too.
  Object.assign(process.env, { DOMAINES_MESSAGES_API_KEY: KEY, DOMAINES_MESSAGES_CHANNEL_ID: CHANNEL });
  const options = { env: { BENCH_ALLOW_EXIT: "1" } };
  try {
    compare(
      "dkim-sync against misbehaving Messages servers: whole processes",
      [
        { name: "baseline: dkim-sync, a well-behaved server", args: cli("good"), options, baseline: true },
        { name: "3 GB body (cut at 16 MB)", args: cli("huge"), options },
        { name: "endless next pages (cut at 64 MB in all)", args: cli("endless"), options },
      ],
      { runs },
    );
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

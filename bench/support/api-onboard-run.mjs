// One measurement of bench/ledger-stores.mjs: `domaines serve` on the ledger location given
// (a directory or a PostgreSQL URL), an admin token, then N onboardings (PUT
// /api/v1/communes/{key}/services/messages) by 4 concurrent clients; prints the throughput
// as one JSON line. The communes are the operators file's members.
//   node bench/support/api-onboard-run.mjs <ledger> <operators.json> <count>
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const [ledger, operators, countArg] = process.argv.slice(2);
const count = Number(countArg);
const CLIENTS = 4;
const cli = (...args) => execFileSync(process.execPath, ["dist/src/cli/main.js", ...args], { encoding: "utf8" });
const { token } = JSON.parse(cli("token", "create", "--role", "admin", "--json", "--ledger", ledger, "--actor", "bench"));
const members = JSON.parse(readFileSync(operators, "utf8")).operators.flatMap((o) => o.members).slice(0, count);
if (members.length !== count) throw new Error(`the operators file lists ${members.length} members, ${count} asked`);

const server = spawn(process.execPath, ["dist/src/cli/main.js", "serve", "--port", "0", "--ledger", ledger, "--operators", operators, "--rate-limit", "1000000"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let buf = "";
  const onData = (d) => {
    buf += d.toString();
    const m = /"url":"(http:\/\/[^"]+)"/.exec(buf);
    if (m) {
      server.stdout.off("data", onData);
      server.stdout.resume();
      resolve(m[1]);
    }
  };
  server.stdout.on("data", onData);
  server.on("exit", (code) => reject(new Error(`serve exited ${code}: ${buf.slice(-2000)}`)));
});
try {
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; i < members.length; i += CLIENTS) {
        const res = await fetch(`${url}/api/v1/communes/${members[i]}/services/messages`, { method: "PUT", headers: { authorization: `Bearer ${token}` } });
        const body = await res.text();
        if (res.status !== 201) throw new Error(`onboarding ${members[i]}: ${res.status} ${body.slice(0, 300)}`);
      }
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ onboardings: members.length, ms: Math.round(ms), perSecond: Number((members.length / (ms / 1000)).toFixed(1)) }));
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
}

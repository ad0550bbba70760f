/**
 * Whole-process benchmarks: each case is a command run as its own process, several times,
 * interleaved with the baseline so that machine noise hits every case alike. Reports the
 * median wall time, the ratio to the baseline's median, and peak RSS.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RSS = fileURLToPath(new URL("./report-rss.mjs", import.meta.url));

/** Runs `node [--import rss] ...args` once; returns wall ms and peak RSS in MiB. */
export function runNode(args, { input, env } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--import", RSS, ...args], {
    cwd: ROOT,
    input,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && !(env && env.BENCH_ALLOW_EXIT)) {
    throw new Error(`bench command failed (${r.status}): node ${args.join(" ")}\n${r.stderr.slice(-2000)}`);
  }
  const m = /@@maxrss_kb=(\d+)/.exec(r.stderr);
  return { ms, rssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * cases: [{ name, args, baseline?: true, setup?: () => void }]; the first case marked
 * baseline is the denominator of every ratio.
 */
export function compare(title, cases, { runs = 7 } = {}) {
  const results = new Map(cases.map((c) => [c.name, { ms: [], rss: [] }]));
  runNode(cases[0].args); // warm the file cache once, unmeasured
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      c.setup?.();
      const r = runNode(c.args, c.options);
      results.get(c.name).ms.push(r.ms);
      results.get(c.name).rss.push(r.rssMiB);
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0];
  const baseMs = median(results.get(base.name).ms);
  const rows = cases.map((c) => {
    const r = results.get(c.name);
    const ms = median(r.ms);
    return { case: c.name, median_ms: Math.round(ms), ratio: Number((ms / baseMs).toFixed(2)), peak_rss_mib: Math.round(Math.max(...r.rss)), target: c.target ?? "" };
  });
  console.log(`\n${title} (${runs} runs each, interleaved; ratio = median / median of "${base.name}")`);
  console.table(rows);
  summarise(title, base.name, rows);
  return rows;
}

/**
 * When BENCH_SUMMARY names a file (bench/table.mjs sets it), every measured row is appended
 * to it as one JSON line, with its table's title and baseline: one run of every bench
 * gives the whole table.
 */
export function summarise(title, baseline, rows) {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  for (const row of rows) appendFileSync(file, `${JSON.stringify({ title, baseline, ...row })}\n`);
}

import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI as a real process (what scripts and support staff run). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Same, asynchronously: for running several CLI processes at once. */
export function runCliAsync(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runNodeAsync(CLI, args, options);
}

/** Runs a node script as its own process and collects its output (`nodeArgs` go to node itself, before the script). */
export function runNodeAsync(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const REPORT_RSS = fileURLToPath(new URL("../../bench/support/report-rss.mjs", import.meta.url));

/** Runs the CLI as a process and reports its peak resident memory (the bench's report-rss hook), removed from stderr. */
export async function runCliMeasured(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult & { peakRssMiB: number }> {
  const r = await runNodeAsync(CLI, args, { ...options, nodeArgs: ["--import", REPORT_RSS] });
  const m = /\n?@@maxrss_kb=(\d+)\n/.exec(r.stderr);
  if (!m) throw new Error(`the CLI did not report its peak RSS (exit ${r.code}): ${r.stderr.slice(-500)}`);
  return { ...r, stderr: r.stderr.replace(m[0], ""), peakRssMiB: Number(m[1]) / 1024 };
}

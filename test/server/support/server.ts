import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT, runCli } from "../../support/cli.js";

/** A `domaines serve` process on 127.0.0.1 and a free port, its JSON log lines captured. */
export interface RunningServer {
  url: string;
  proc: ChildProcess;
  /** Every line the process wrote (stdout and stderr), in order. */
  lines: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (no chance to finish anything). */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export interface ServerSetup {
  ledger: string;
  operators?: string;
  tokens?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

function setupArgs(s: ServerSetup): string[] {
  return ["--ledger", s.ledger, ...(s.operators ? ["--operators", s.operators] : []), ...(s.tokens ? ["--tokens", s.tokens] : [])];
}

export async function startServer(setup: ServerSetup): Promise<RunningServer> {
  const proc = spawn(process.execPath, [CLI, "serve", "--port", "0", ...setupArgs(setup), ...(setup.args ?? [])], { cwd: ROOT, env: { ...process.env, ...setup.env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = { out: "", err: "" };
    const onData = (which: "out" | "err") => (chunk: Buffer) => {
      buffer[which] += chunk.toString("utf8");
      const parts = buffer[which].split("\n");
      buffer[which] = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"domaines serve listening"')) resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    proc.stdout!.on("data", onData("out"));
    proc.stderr!.on("data", onData("err"));
    void exited.then((code) => reject(new Error(`domaines serve exited (${code}) before listening:\n${lines.join("\n")}`)));
  });
  return {
    url,
    proc,
    lines,
    exited,
    stop: async () => {
      proc.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

export interface CreatedToken {
  id: string;
  token: string;
}

/** `domaines token create … --json`, as an administrator runs it. */
export function createToken(setup: ServerSetup, args: string[]): CreatedToken {
  const r = runCli(["token", "create", ...args, "--json", ...setupArgs(setup)]);
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as CreatedToken;
}

export function revokeToken(setup: ServerSetup, id: string): void {
  const r = runCli(["token", "revoke", id, "--json", ...setupArgs(setup)]);
  if (r.code !== 0) throw new Error(`token revoke failed: ${r.stderr}`);
}

export interface OperatorFixture {
  name: string;
  espaceOperateurId?: string;
  siren?: string | null;
  members: string[];
}

/** A temporary ledger directory and an operators file with the given structures. */
export function fixture(operators: OperatorFixture[], eoUrl = "https://espace-operateur.example.invalid/api/v1.0/"): ServerSetup & { operators: string } {
  const dir = mkdtempSync(join(tmpdir(), "server-branch-test-"));
  const ledger = join(dir, "ledger");
  const file = join(dir, "operators.json");
  mkdirSync(ledger);
  writeFileSync(
    file,
    JSON.stringify({
      espaceOperateur: { url: eoUrl, serviceIds: { messages: 2, fichiers: 12 }, retries: 0, timeoutMs: 5000 },
      messages: { url: "https://messages.example.invalid/api/v1.0/" },
      operators: operators.map((o) => ({ name: o.name, title: `Structure ${o.name}`, siren: o.siren ?? null, espaceOperateurId: o.espaceOperateurId ?? `eo-${o.name}`, members: o.members })),
    }),
  );
  return { ledger, operators: file };
}


import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliResult } from "../../support/cli.js";

/** A fresh, empty ledger directory under the OS temp dir. */
export function tempLedger(prefix = "domaines-ledger-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI on `dir` with a fixed actor. */
export function cli(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  return runCli([...args, "--ledger", dir, "--actor", "test"], { env });
}

/** Ledger and audit bytes, to prove that a refused command wrote nothing. */
export function snapshotFiles(dir: string): { ledger: string; audit: string } {
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), "utf8");
    } catch {
      return "<absent>";
    }
  };
  return { ledger: read("ledger.jsonl"), audit: read("audit.jsonl") };
}

export function ledgerLines(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, "ledger.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value));
  return path;
}

#!/usr/bin/env node
/**
 * `domaines` entry point. Commands are loaded lazily so that a script calling
 * `domaines check` pays only for what `check` needs (no Pulumi, no HTTP clients).
 */
import { parseArgs } from "node:util";
import { DomainesError } from "../errors.js";
import { ioError } from "../io-errors.js";
import { redactor, secretsOfEnv } from "../redact.js";
import { terminalSafe } from "../terminal-text.js";
import { commandHelp, parseArgsOptions, type CommandSpec } from "./command.js";
import { compiledNamingSource } from "../naming-source.js";
import { CommandContext, workspaceOptions } from "./context.js";
import { usageMessageOfParseError } from "./parse-error.js";
import { COMMANDS } from "./registry.js";

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "domaines — labels, DNS records and services for <commune>.collectivite.fr (La Suite territoriale)",
    "",
    "Usage: domaines <command> [arguments] [--json] [--help]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `domaines <command> --help` for a command's options and examples.",
    "Exit codes: 0 success, 1 failure, 2 bad usage or bad input.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${topHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    throw new UsageError(`unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")}. Run \`domaines --help\`.`);
  }
  const spec: CommandSpec = (await entry.load()).command;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: parseArgsOptions(spec), allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(usageMessageOfParseError(err as Error, spec));
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(`${commandHelp(spec)}\n`);
    return 0;
  }
  const { min, max } = spec.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    // `check Saint Denis`: a name with spaces arrives as several words.
    const quote = parsed.positionals.length > max && spec.positionals.name === "query" ? ` A name with spaces is one argument: quote it, e.g. \`domaines ${spec.name} "${parsed.positionals.slice(max - 1).join(" ")}"\`.` : "";
    throw new UsageError(`\`domaines ${spec.name}\` takes ${want} ${spec.positionals.name} argument(s), got ${parsed.positionals.length}.${quote} Usage: domaines ${spec.name} ${spec.usage}`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  // A naming-only command on the bundled COG reads the compiled communes and labels alone; everything else loads the Workspace (config, store, services) on demand.
  const naming = spec.naming && values.communes === undefined ? compiledNamingSource() : null;
  const workspace = naming ? { naming } : new (await import("../workspace.js")).Workspace(workspaceOptions(values));
  return spec.run(new CommandContext(parsed.positionals, values, workspace));
}

class UsageError extends DomainesError {
  constructor(message: string) {
    super(message, 2, "invalid-input");
  }
}

function reportError(thrown: unknown, json: boolean): number {
  // An environment failure that escaped its writer (ENOSPC, EACCES, …) is still the user's to fix, not a bug.
  const err = ioError(thrown);
  // The last line of defence: no configured secret reaches the terminal or a CI log, whatever quoted it.
  const redact = redactor(secretsOfEnv(process.env));
  if (err instanceof DomainesError) {
    process.stderr.write(`domaines: ${terminalSafe(redact(err.message))}\n`);
    if (json) process.stdout.write(`${redact(JSON.stringify({ error: err.toJSON() }, null, 2))}\n`);
    return err.exitCode;
  }
  // A bug, not a user error: keep the stack, it is what a maintainer needs.
  process.stderr.write(`domaines: internal error: ${terminalSafe(redact(err instanceof Error ? (err.stack ?? err.message) : String(err)))}\n`);
  if (json) process.stdout.write(`${redact(JSON.stringify({ error: { code: "internal", message: err instanceof Error ? err.message : String(err), exitCode: 1 } }, null, 2))}\n`);
  return 1;
}

// `domaines names | head`: the reader has gone; stop quietly as other Unix tools do.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err, argv.includes("--json"));
  },
);

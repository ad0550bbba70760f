import type { ParseArgsConfig } from "node:util";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Shown in --help: `--departement D`. */
  valueName?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line without the leading `domaines <name>`: `<query> [--json]`. */
  usage: string;
  description?: string;
  examples: string[];
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number; name: string };
  /** Needs only communes and labels (ctx.naming): on the bundled COG it then runs without loading the rest of the Workspace. */
  naming?: boolean;
  run(ctx: import("./context.js").CommandContext): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "machine-readable JSON on stdout, and nothing else there" },
  help: { type: "boolean", short: "h", description: "show this help" },
  communes: { type: "string", valueName: "FILE", description: "a communes.json (@etalab/decoupage-administratif format) instead of the bundled COG" },
  config: { type: "string", valueName: "FILE", description: "deployment configuration (zone, services) instead of data/config.json" },
  ledger: { type: "string", valueName: "DIR|URL", description: "ledger directory, or a postgres:// URL, instead of data/ledger (also DOMAINES_LEDGER)" },
  actor: { type: "string", valueName: "NAME", description: "who makes the change, for the audit log (default: the OS user)" },
};

/** The options a command accepts: the global ones and its own. */
export function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...GLOBAL_OPTIONS, ...spec.options };
}

export function parseArgsOptions(spec: CommandSpec): ParseArgsConfig["options"] {
  const all = allOptions(spec);
  const out: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(all)) {
    out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  return out;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : ""}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`domaines ${spec.name} — ${spec.summary}`, "", `Usage: domaines ${spec.name} ${spec.usage}`];
  if (spec.description) lines.push("", spec.description);
  if (Object.keys(spec.options).length > 0) lines.push("", "Options:", ...optionLines(spec.options));
  lines.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS));
  if (spec.examples.length > 0) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  lines.push("", "Exit codes: 0 success, 1 failure, 2 bad usage or bad input.");
  return lines.join("\n");
}

import { weightedOsa } from "../naming/fuzzy.js";
import { allOptions, type CommandSpec } from "./command.js";

/**
 * node:util parseArgs's own messages are written for developers ("To specify a positional
 * argument starting with a '-' …", "argument missing" with a doubled full stop). These say
 * what went wrong with the option a person typed, and the closest option the command has.
 */
export function usageMessageOfParseError(err: Error & { code?: string }, spec: CommandSpec): string {
  const help = `Run \`domaines ${spec.name} --help\`.`;
  const all = allOptions(spec);
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const typed = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    const bare = typed.replace(/^-+/, "").split("=")[0]!;
    const close = closestOptions(bare, Object.keys(all));
    const hint = close.length ? ` Did you mean ${close.map((n) => `--${n}`).join(" or ")}?` : "";
    return `\`domaines ${spec.name}\` has no option ${JSON.stringify(typed)}.${hint} ${help}`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const name = /--([a-z][a-z-]*)/.exec(err.message)?.[1];
    const option = name ? all[name] : undefined;
    if (name && option?.type === "string") return `--${name} needs a value: --${name} ${option.valueName ?? "VALUE"} (${option.description}). ${help}`;
    if (name && option?.type === "boolean") return `--${name} takes no value: write --${name} alone. ${help}`;
  }
  return `${err.message.replace(/\.+$/, "")}. ${help}`;
}

/** Options whose name the typed one begins, is begun by, or is within two edits of (`service` → `services`, `departemnt` → `departement`). */
function closestOptions(typed: string, names: string[]): string[] {
  if (typed.length < 2) return [];
  // The commune search's edit distance, every edit costing 1 (a transposition too).
  const editDistance = weightedOsa(1);
  const scored = names
    .map((n) => ({ n, d: n.startsWith(typed) || typed.startsWith(n) ? 0 : editDistance(typed, n, 2) }))
    .filter((s) => s.d <= 2)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.filter((s) => s.d === scored[0]!.d).map((s) => s.n).slice(0, 3);
}


import { GLOBAL_OPTIONS, type CommandSpec } from "./command.js";

/**
 * node:util parseArgs's own messages are written for developers ("To specify a positional
 * argument starting with a '-' …", "argument missing" with a doubled full stop). These say
 * what went wrong with the option a person typed, and the closest option the command has.
 */
export function usageMessageOfParseError(err: Error & { code?: string }, spec: CommandSpec): string {
  const help = `Run \`domaines ${spec.name} --help\`.`;
  const all = { ...GLOBAL_OPTIONS, ...spec.options };
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
  const scored = names
    .map((n) => ({ n, d: n.startsWith(typed) || typed.startsWith(n) ? 0 : editDistance(typed, n) }))
    .filter((s) => s.d <= 2)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.filter((s) => s.d === scored[0]!.d).map((s) => s.n).slice(0, 3);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

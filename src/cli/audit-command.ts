import type { CommandContext } from "./context.js";

/** The audit log's `command` field: the command line as typed, options included. */
export function auditCommand(name: string, ctx: CommandContext, shown: string[]): string {
  const opts = shown.flatMap((o) => {
    const v = ctx.values[o];
    if (v === undefined || v === false) return [];
    if (v === true) return [`--${o}`];
    return (Array.isArray(v) ? v : [v]).map((x) => `--${o} ${String(x)}`);
  });
  return ["domaines", name, ...ctx.positionals, ...opts].join(" ");
}

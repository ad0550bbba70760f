import type { CommandContext } from "../cli/context.js";
import { computeLabels, type ComputedLabel } from "../naming/labels.js";
import type { LedgerEntry } from "./schema.js";

/**
 * Labels of the current data computed with every ledger label as `taken`, as allocation
 * wants them (a suffixed label never equals a label ever allocated or reserved).
 */
export function labelsAgainstLedger(ctx: CommandContext, entries: readonly LedgerEntry[]): Map<string, ComputedLabel> {
  return computeLabels(ctx.communeData().communes, { reserved: ctx.reserved(), taken: new Set(entries.map((e) => e.label)) });
}

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

export function fqdn(label: string, zone: string): string {
  return `${label}.${zone}`;
}

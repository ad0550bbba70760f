import type { Suggestion } from "../operations/suggest.js";
import type { CommandContext } from "./context.js";

/** `check`'s human output when nothing matches: the closest names (src/operations/suggest.ts). */
export function printSuggestions(ctx: CommandContext, suggestions: readonly Suggestion[]): void {
  if (suggestions.length === 0) return;
  ctx.print("");
  ctx.print("Closest communes:");
  for (const s of suggestions) {
    const communes = s.communes.map((c) => `${c.name} (${c.departement}) → ${c.label ?? "no valid label"}`).join("; ");
    ctx.print(`  ${communes}`);
  }
}

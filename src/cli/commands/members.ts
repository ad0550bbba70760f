import { InputError, quoteInput } from "../../errors.js";
import { addMembers, listMembers, removeMembers, requireOperatorOption, type MemberView } from "../../operations/membership.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

const int = (n: number): string => n.toLocaleString("fr-FR");

function describe(m: MemberView): string {
  if (m.kind === "epci") return `epci     ${m.key}  ${m.name}, ${int(m.population ?? 0)} inh., ${m.communes} communes, ${m.enrolled as number} enrolled`;
  const enrolled = m.enrolled as string[];
  return `commune  ${m.key.padEnd(9)}  ${m.name}${m.departement ? ` (${m.departement})` : ""}${m.population === null ? "" : `, ${int(m.population)} inh.`}${enrolled.length > 0 ? `, enrolled in ${enrolled.join(", ")}` : ""}`;
}

async function change(ctx: CommandContext, action: "add" | "remove", queries: string[]): Promise<number> {
  const operator = requireOperatorOption(ctx.string("operator"), ctx.ws);
  if (queries.length === 0) throw new InputError(`members ${action} needs at least one member: a commune (name, INSEE code, SIREN, label) or an EPCI's SIREN.`);
  const meta = { actor: ctx.actor(), command: auditCommand("members", ctx, ["operator"]) };
  const run = action === "add" ? addMembers : removeMembers;
  const outcome = await run(ctx.ws, meta, { operator, queries });
  for (const w of outcome.warnings) ctx.warn(w);
  if (ctx.json) {
    ctx.printJson({ operator: outcome.operator, file: outcome.file, [action === "add" ? "added" : "removed"]: outcome.changed, unchanged: outcome.unchanged });
    return 0;
  }
  for (const m of outcome.changed) ctx.print(`${action === "add" ? "added to" : "removed from"} ${outcome.operator}: ${describe(m)}`);
  for (const u of outcome.unchanged) ctx.print(`unchanged: ${describe(u.member)} (${u.why})`);
  ctx.print(outcome.changed.length > 0 ? `${outcome.file} rewritten; the audit log has one line per change.` : "nothing changed.");
  return 0;
}

export const command: CommandSpec = {
  name: "members",
  summary: "list, add or remove the member communes and intercommunalités (EPCI) of a mutualisation structure",
  usage: "list|add|remove --operator NAME [<commune query|EPCI SIREN>…] [--json]",
  description:
    "Memberships live in data/operators.json (or --operators FILE), rewritten atomically and validated; each change\n" +
    "is one line of the ledger's audit log (membership.add / membership.remove). A member is a commune (any query\n" +
    "that designates exactly one: name, INSEE code, SIREN, label) or an intercommunalité à fiscalité propre by its\n" +
    "SIREN, whose member communes are then covered. A commune belongs to one structure at most (directly or through\n" +
    "an EPCI). Removing a member whose commune is enrolled is refused (its live subscription would be deleted):\n" +
    "offboard the commune first.",
  examples: [
    "domaines members list --operator cdg48",
    "domaines members add --operator cdg48 Chanac 244800470",
    "domaines members remove --operator cdg48 244800470 --json",
  ],
  options: {
    operator: { type: "string", valueName: "NAME|SIREN", description: "the mutualisation structure" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: "list|add|remove [member…]" },
  async run(ctx) {
    const [action, ...queries] = ctx.positionals as [string, ...string[]];
    if (action === "add" || action === "remove") return change(ctx, action, queries);
    if (action !== "list") throw new InputError(`members ${quoteInput(action)}: the action is list, add or remove (e.g. domaines members add --operator cdg48 Chanac).`);
    if (queries.length > 0) throw new InputError("members list takes no member argument; it lists them all.");
    const listing = await listMembers(ctx.ws, { operator: requireOperatorOption(ctx.string("operator"), ctx.ws) });
    for (const w of listing.warnings) ctx.warn(w);
    const { warnings: _, ...json } = listing;
    if (ctx.json) ctx.printJson(json);
    else {
      ctx.print(`${listing.operator.name} — ${listing.operator.title}`);
      for (const m of [...listing.communes, ...listing.epcis]) ctx.print(`  ${describe(m)}`);
      ctx.print(`${listing.communes.length} commune(s) and ${listing.epcis.length} EPCI(s) listed; ${listing.covered} commune(s) covered in all. File: ${listing.file}`);
    }
    return 0;
  },
};

import { InputError } from "../../errors.js";
import { allocate, switchToReservedLabel } from "../../operations/allocate.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { auditCommand } from "../audit-command.js";

export const command: CommandSpec = {
  name: "allocate",
  summary: "give communes their label in the ledger (idempotent: a commune keeps the label it has)",
  usage: "<query>… | --departement D | --all [--dry-run] [--json]",
  description:
    "A query is a name, SIREN, INSEE code, label or domain; a bare homonym name is refused with the candidates.\n" +
    "Each commune gets its computed label, or keeps the one the ledger already holds for it (status existing).\n" +
    "A label already in the ledger in any state is never given again; the homonym group's bare slug is reserved.",
  examples: ["domaines allocate Mende", "domaines allocate 211200837 --switch", "domaines allocate 214800955 saint-denis-93 --json", "domaines allocate --departement 48 --dry-run", "domaines allocate --all --actor onboarding-script"],
  options: {
    departement: { type: "string", valueName: "D", description: "every commune of this département" },
    all: { type: "boolean", description: "every current commune" },
    "dry-run": { type: "boolean", description: "show what would be allocated; write nothing" },
    switch: { type: "boolean", description: "after a rename: make the label reserved for the new name the commune's label (the old one becomes its alias)" },
  },
  positionals: { min: 0, max: Infinity, name: "query" },
  async run(ctx) {
    if (ctx.flag("switch")) return switchToReserved(ctx);
    const meta = { actor: ctx.actor(), command: auditCommand("allocate", ctx, ["departement", "all"]) };
    const dep = ctx.string("departement");
    const result = await allocate(ctx.ws, meta, {
      queries: ctx.positionals,
      ...(dep === undefined ? {} : { departement: dep }),
      all: ctx.flag("all"),
      dryRun: ctx.flag("dry-run"),
    });
    const { dryRun, communes, failures } = result;
    if (ctx.json) {
      ctx.printJson(result);
    } else {
      if (!ctx.flag("all")) {
        for (const c of communes) {
          const verb = c.status === "existing" ? "existing " : dryRun ? "would get" : "allocated";
          ctx.print(`${verb}  ${c.fqdn.padEnd(40)} ${c.name} (${c.departement}), INSEE ${c.insee} — ${c.explanation}`);
        }
      }
      for (const f of failures) ctx.print(`FAILED     ${f.name} (${f.insee}): ${f.message}`);
      ctx.print(`${dryRun ? "Dry run, nothing written: " : ""}${result.allocated} ${dryRun ? "to allocate" : "allocated"}, ${result.existing} already held, ${result.reservedHomonymSlugs.length} homonym slug(s) reserved, ${failures.length} failed. Ledger: ${result.ledger}`);
    }
    if (failures.length > 0) {
      ctx.warn(`${failures.length} commune(s) could not be allocated (listed ${ctx.json ? "under failures" : "above"}).`);
      return 1;
    }
    return 0;
  },
};

async function switchToReserved(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length !== 1 || ctx.flag("all") || ctx.string("departement") !== undefined || ctx.flag("dry-run")) {
    throw new InputError("--switch takes exactly one commune query (and no --all, --departement or --dry-run).");
  }
  const result = await switchToReservedLabel(ctx.ws, { actor: ctx.actor(), command: auditCommand("allocate", ctx, ["switch"]) }, ctx.positionals[0]!);
  if (ctx.json) ctx.printJson(result);
  else if (result.status === "existing") ctx.print(`${result.fqdn} is already the commune's label (switched earlier); ${result.aliasFqdn} is its alias. Nothing changed.`);
  else ctx.print(`${result.fqdn} is now the commune's label; ${result.aliasFqdn} stays as its alias (mail keeps arriving).`);
  return 0;
}

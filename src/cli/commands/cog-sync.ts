import type { CogSyncReport } from "../../ledger/cog-sync.js";
import { cogSync } from "../../operations/cog-sync.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "cog-sync",
  summary: "compare the ledger with the current commune data (renames, mergers, INSEE changes, homonyms, disappearances)",
  usage: "[--apply] [--communes FILE] [--json]",
  description:
    "Without --apply: prints what changed in the data and what the ledger would do, writes nothing.\n" +
    "With --apply, the naming spec's rules: a rename keeps the label (the new name's label is reserved\n" +
    "for it); a merged commune's label becomes an alias of its successor (the successor's own label when\n" +
    "it computes to the same); an INSEE change is history only; an allocated bare label that gains a\n" +
    "homonym stays with its holder (grandfathered); a commune gone with no successor becomes a tombstone.\n" +
    "COG 2022 (@etalab/decoupage-administratif 2.x) is the first with SIREN: older data cannot be followed.",
  examples: ["domaines cog-sync", "domaines cog-sync --apply --actor cog-2027", "domaines cog-sync --communes communes-2027.json --json"],
  options: {
    apply: { type: "boolean", description: "apply the changes to the ledger (otherwise report only)" },
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const apply = ctx.flag("apply");
    const outcome = await cogSync(ctx.ws, { actor: ctx.actor(), command: auditCommand("cog-sync", ctx, ["apply", "communes"]) }, { apply });
    if (ctx.json) ctx.printJson(outcome);
    else printReport(ctx, outcome, outcome.summary, apply, outcome.labelsChanged);
    if (outcome.problems.length > 0) {
      ctx.warn(`${outcome.problems.length} problem(s) need a person (listed${ctx.json ? " under problems" : " above"}).`);
      return 1;
    }
    return 0;
  },
};

function printReport(ctx: CommandContext, r: CogSyncReport, s: Record<string, number>, apply: boolean, written: number): void {
  ctx.print(`Commune data: ${r.source}`);
  for (const x of r.inseeChanges) ctx.print(`INSEE code   ${x.commune.name} (${x.commune.departement}): ${x.from} → ${x.to} (history only)`);
  for (const x of r.renames) ctx.print(`rename       ${x.from} → ${x.commune.name} (${x.commune.departement}): ${x.note}`);
  for (const m of r.mergers) {
    const how = m.outcome === "inherited" ? `becomes ${m.successor.name}'s own label (same computed label)` : `alias of ${m.successor.name} (${m.successor.insee})`;
    ctx.print(`merger       ${m.absorbed.name} (${m.absorbed.insee}) → ${m.successor.name} via ${m.via === "same-insee" ? "the same INSEE code" : "chefLieu"}: "${m.absorbed.label}" ${how}${m.movedServices.length ? `; services moved: ${m.movedServices.join(", ")}` : ""}`);
  }
  for (const a of r.successorsAllocated) ctx.print(`successor    ${a.name} (${a.departement}) gets "${a.label}"`);
  for (const t of r.tombstones) ctx.print(`tombstone    ${t.name ?? t.key} (${t.insee ?? "?"}) is gone with no successor in the data: ${t.labels.join(", ")}`);
  for (const a of r.repointedAliases) ctx.print(`alias        "${a.label}" now points to ${a.to} (was ${a.from})`);
  for (const h of r.newHomonyms) ctx.print(`new homonym  "${h.label}" stays with ${h.holder.name} (${h.holder.departement}), grandfathered; newcomers: ${h.newcomers.map((n) => `${n.name} (${n.departement}) → ${n.label ?? "?"}`).join(", ")}`);
  for (const p of r.problems) ctx.print(`PROBLEM      ${p}`);
  ctx.print("");
  ctx.print(`Summary: ${Object.entries(s).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  ctx.print(apply ? `Applied: ${written} label record(s) changed.` : "Report only: nothing written (run with --apply to apply).");
}

import type { Commune } from "../../communes/schema.js";
import { InputError } from "../../errors.js";
import { planAllocation, type AllocationPlan } from "../../ledger/allocation.js";
import { auditCommand, fqdn, labelsAgainstLedger } from "../../ledger/cli-support.js";
import { planSwitchToReserved } from "../../ledger/enrolment.js";
import { indexLedger } from "../../ledger/entries.js";
import { resolveCommune } from "../../ledger/resolve.js";
import { ledgerDir, readLedger, updateLedger } from "../../ledger/store.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { selectDepartement } from "../views.js";

const REASONS: Record<string, string> = {
  unique: "no other current commune has this name",
  homonym: "homonym: the département is added",
  "accent-collision": "a name differing only by accents exists: the département is added",
  fallback: "<slug>-<dep> was taken: the INSEE code is added",
  "taken-in-ledger": "its computed label is already in the ledger (never reused): suffixed",
  "already-allocated": "already in the ledger: it keeps its label",
};

function targets(ctx: CommandContext, entries: Parameters<typeof indexLedger>[0]): Commune[] {
  const { communes } = ctx.communeData();
  const dep = ctx.string("departement");
  const all = ctx.flag("all");
  const modes = [ctx.positionals.length > 0, dep !== undefined, all].filter(Boolean).length;
  if (modes !== 1) throw new InputError("name the communes to allocate: one or more queries, or --departement D, or --all (exactly one of these).");
  if (all) return communes;
  if (dep !== undefined) return selectDepartement(communes, dep);
  const index = indexLedger(entries);
  return ctx.positionals.map((q) => resolveCommune(q, ctx.config().zone, communes, ctx.computedLabels(), ctx.reserved(), index));
}

export const command: CommandSpec = {
  name: "allocate",
  summary: "give communes their label in the ledger (idempotent: a commune keeps the label it has)",
  usage: "<query>… | --departement D | --all [--dry-run] [--json]",
  description:
    "A query is a name, SIREN, INSEE code, label or domain; a bare homonym name is refused with the candidates.\n" +
    "Each commune gets its computed label, or keeps the one the ledger already holds for it (status existing).\n" +
    "A label already in the ledger in any state is never given again; the homonym group's bare slug is reserved.",
  examples: ["domaines allocate Mende", "domaines allocate 200000005 --switch", "domaines allocate 214800957 saint-denis-93 --json", "domaines allocate --departement 48 --dry-run", "domaines allocate --all --actor onboarding-script"],
  options: {
    departement: { type: "string", valueName: "D", description: "every commune of this département" },
    all: { type: "boolean", description: "every current commune" },
    "dry-run": { type: "boolean", description: "show what would be allocated; write nothing" },
    switch: { type: "boolean", description: "after a rename: make the label reserved for the new name the commune's label (the old one becomes its alias)" },
  },
  positionals: { min: 0, max: Infinity, name: "query" },
  async run(ctx) {
    const dir = ledgerDir(ctx);
    const zone = ctx.config().zone;
    if (ctx.flag("switch")) return switchToReserved(ctx, dir, zone);
    const dryRun = ctx.flag("dry-run");
    const explicit = ctx.positionals.length > 0;
    const now = new Date().toISOString();
    const plan = (entries: ReturnType<typeof readLedger>): AllocationPlan => {
      const p = planAllocation(entries, targets(ctx, entries), labelsAgainstLedger(ctx, entries), ctx.reserved(), now);
      if (explicit && p.failures.length > 0) {
        throw new InputError(`cannot allocate, nothing written:\n  ${p.failures.map((f) => `${f.name} (${f.insee}): ${f.message}`).join("\n  ")}`);
      }
      return p;
    };
    const result = dryRun
      ? plan(readLedger(dir))
      : (await updateLedger(dir, ctx.actor(), auditCommand("allocate", ctx, ["departement", "all"]), (entries) => {
          const p = plan(entries);
          return { put: p.put, result: p };
        })).result;

    const communes = result.results.map((r) => ({ ...r, fqdn: fqdn(r.label, zone), explanation: REASONS[r.reason] ?? r.reason }));
    const created = communes.filter((c) => c.status === "allocated").length;
    if (ctx.json) {
      ctx.printJson({ dryRun, ledger: dir, allocated: created, existing: communes.length - created, reservedHomonymSlugs: result.reservedNow, failures: result.failures, communes });
    } else {
      if (!ctx.flag("all")) {
        for (const c of communes) {
          const verb = c.status === "existing" ? "existing " : dryRun ? "would get" : "allocated";
          ctx.print(`${verb}  ${c.fqdn.padEnd(40)} ${c.name} (${c.departement}), INSEE ${c.insee} — ${c.explanation}`);
        }
      }
      for (const f of result.failures) ctx.print(`FAILED     ${f.name} (${f.insee}): ${f.message}`);
      ctx.print(`${dryRun ? "Dry run, nothing written: " : ""}${created} ${dryRun ? "to allocate" : "allocated"}, ${communes.length - created} already held, ${result.reservedNow.length} homonym slug(s) reserved, ${result.failures.length} failed. Ledger: ${dir}`);
    }
    if (result.failures.length > 0) {
      ctx.warn(`${result.failures.length} commune(s) could not be allocated (listed ${ctx.json ? "under failures" : "above"}).`);
      return 1;
    }
    return 0;
  },
};

async function switchToReserved(ctx: CommandContext, dir: string, zone: string): Promise<number> {
  if (ctx.positionals.length !== 1 || ctx.flag("all") || ctx.string("departement") !== undefined || ctx.flag("dry-run")) {
    throw new InputError("--switch takes exactly one commune query (and no --all, --departement or --dry-run).");
  }
  const now = new Date().toISOString();
  const { result } = await updateLedger(dir, ctx.actor(), auditCommand("allocate", ctx, ["switch"]), (entries) => {
    const commune = resolveCommune(ctx.positionals[0]!, zone, ctx.communeData().communes, ctx.computedLabels(), ctx.reserved(), indexLedger(entries));
    return planSwitchToReserved(entries, commune, now);
  });
  if (ctx.json) ctx.printJson({ ...result, fqdn: fqdn(result.to, zone), aliasFqdn: fqdn(result.from, zone) });
  else ctx.print(`${fqdn(result.to, zone)} is now the commune's label; ${fqdn(result.from, zone)} stays as its alias (mail keeps arriving).`);
  return 0;
}

import { compressIPv6 } from "../../dns/resolve.js";
import { InputError } from "../../errors.js";
import { planDns, retiredSaveMessage } from "../../operations/dns.js";
import type { SnapshotRecord } from "../../records/applied.js";
import type { PlanOwner, ZonePlan } from "../../records/plan.js";
import { fqdnOf } from "../../records/validate.js";
import { DKIM_OPTION, SERVICE_FILE_OPTIONS } from "../options.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "plan",
  summary: "what the DNS zone would contain, and the diff against a stack's applied snapshot",
  usage: "[--departement D] [--against FILE] [--dkim FILE] [--json]",
  description:
    "Builds the desired records from the ledger, the configuration's dns section and the DKIM store,\n" +
    "validates them, and compares them with what a Pulumi stack applied: its guardState output,\n" +
    "saved with `pulumi stack output guardState --json -s dep-48 > applied.json`. The diff is the one\n" +
    "the stack's deletion guard judges: records created, updated and deleted per label, each deletion\n" +
    "with the ledger transition that explains it (offboarded, tombstone, alias, …) or NOT EXPLAINED\n" +
    "(the guard then refuses the run), and for a département the Espace Opérateur subscriptions.\n" +
    "The scope is the snapshot's stack (the platform or one département); --departement, if also\n" +
    "given, must agree. Without --against: the département (or the whole zone), every record new.\n" +
    "Communes whose DKIM key Messages has not given yet are listed (their DKIM record is pending).",
  examples: [
    "pulumi stack output guardState --json -s dep-48 > applied.json && domaines plan --against applied.json",
    "domaines plan --departement 48",
    "domaines plan --against applied.json --json",
  ],
  options: {
    departement: { type: "string", valueName: "D", description: "only this département's communes (01, 2A, 974, …)" },
    against: { type: "string", valueName: "FILE", description: "a stack's applied snapshot: `pulumi stack output guardState --json > FILE`" },
    save: { type: "boolean", description: "retired: the stack's guardState output is the applied snapshot (see --against)" },
    snapshot: { type: "string", valueName: "FILE", description: "retired: use --against FILE" },
    dkim: DKIM_OPTION,
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    if (ctx.flag("save")) throw new InputError(retiredSaveMessage("plan --save"));
    if (ctx.string("snapshot") !== undefined) throw new InputError(retiredSaveMessage("plan --snapshot"));
    const dep = ctx.string("departement");
    const against = ctx.string("against");
    const plan = await planDns(ctx.ws, { ...(dep === undefined ? {} : { departement: dep }), ...(against === undefined ? {} : { against }) });
    for (const w of plan.warnings) ctx.warn(w);
    if (ctx.json) {
      ctx.printJson(plan);
      return 0;
    }
    printPlan(ctx, plan, plan.againstFile);
    return 0;
  },
};

function scopeName(plan: ZonePlan): string {
  return plan.scope === null ? "the whole zone" : plan.scope === "platform" ? "the platform stack (zone level and labels of no département)" : `département ${plan.scope}`;
}

function printPlan(ctx: CommandContext, plan: ZonePlan, file: string | null): void {
  ctx.print(`Plan for ${scopeName(plan)} in ${plan.zone}`);
  ctx.print(
    plan.against
      ? `compared with the applied snapshot of stack ${plan.against.shard === "platform" ? "platform" : `dep-${plan.against.shard.toLowerCase()}`} (${file})`
      : "no applied snapshot given: every record is new (compare with a stack: `pulumi stack output guardState --json -s dep-48 > applied.json`, then --against applied.json)",
  );
  if (plan.zoneChangedFrom) ctx.print(`ZONE CHANGE: the snapshot is for ${plan.zoneChangedFrom}; every record would leave it (the deletion guard refuses this).`);
  const o = plan.owners;
  const r = plan.records;
  ctx.print("");
  ctx.print(`Labels:  ${o.total} (added ${o.added}, changed ${o.changed}, removed ${o.removed}, unchanged ${o.unchanged})${plan.scope === null || plan.scope === "platform" ? "  — with the zone level (@)" : ""}`);
  ctx.print(`Records: ${r.total} (create ${r.creates}, update ${r.updates}, delete ${r.deletes}, unchanged ${r.unchanged})`);
  if (r.unexplainedDeletes > 0) ctx.print(`NOT EXPLAINED by the ledger: ${r.unexplainedDeletes} deletion(s); the stack's deletion guard would refuse this run (marked below).`);
  ctx.print(`By type: ${Object.entries(plan.byType).map(([t, n]) => `${t} ${n}`).join(", ") || "none"}`);
  if (plan.pendingDkim.length > 0) {
    const shown = plan.pendingDkim.slice(0, 30).map((p) => p.label).join(", ");
    ctx.print(`DKIM pending (no key from Messages yet; published once it arrives): ${plan.pendingDkim.length}: ${shown}${plan.pendingDkim.length > 30 ? ", …" : ""}`);
  } else {
    ctx.print("DKIM pending: none");
  }
  if (plan.spfNotPublished.length > 0) {
    // Messages refuses to send while its SPF check is not "correct": these go first.
    ctx.print(`SPF not yet published (Messages refuses to send until it is; publish these before any other mail record): ${plan.spfNotPublished.length}: ${plan.spfNotPublished.slice(0, 30).map((p) => p.label).join(", ")}${plan.spfNotPublished.length > 30 ? ", …" : ""}`);
  }
  for (const d of plan.delegated) ctx.print(`Delegated: ${d.label} to ${d.nameservers.join(", ")}${d.ds > 0 ? ` (${d.ds} DS)` : ""}; the parent holds only its NS set`);
  for (const u of plan.unpublished) ctx.print(`NOT PUBLISHED by the stacks: ${u.label} ${u.type} ${u.value} (OVH's zone records have no ${u.type} type; the zone file has it)`);
  for (const f of plan.adoptedFindings) ctx.print(`Adopted as found (below the model's mail policy): ${f}`);
  const subs = plan.subscriptions;
  if (subs) {
    ctx.print(`Subscriptions: ${subs.next} (create ${subs.creates.length}, delete ${subs.deletes.length})`);
    for (const c of subs.creates) ctx.print(`    + ${c.label} (${c.commune}) ${c.service} via ${c.operator}`);
    for (const d of subs.deletes) ctx.print(`    - ${d.subscription.label} (${d.subscription.commune}) ${d.subscription.service} via ${d.subscription.operator}  [${d.explainedBy ?? `NOT EXPLAINED: ${d.why}`}]`);
  }
  if (plan.changes.length > 0) {
    ctx.print("");
    ctx.print("Changes:");
    for (const c of plan.changes) printOwner(ctx, c, plan.zone);
  }
  if (plan.scope !== null && plan.unchanged.length > 0) {
    ctx.print("");
    ctx.print(`Unchanged: ${plan.unchanged.join(", ")}`);
  }
}

const MARK = { added: "+", changed: "~", removed: "-", unchanged: " " } as const;

function line(r: SnapshotRecord, zone: string): string {
  return `${fqdnOf(r.name, zone)} ${r.ttl} ${r.type} ${r.type === "AAAA" ? compressIPv6(r.value) : r.value}`;
}

function printOwner(ctx: CommandContext, c: PlanOwner, zone: string): void {
  const state = c.state ?? "gone from this stack";
  const who =
    c.holder.kind === "zone"
      ? `zone level (${zone})`
      : `${c.label}${c.name ? ` — ${c.name}` : ""} (${state}${c.services.length > 0 ? `, ${c.services.join("+")}` : ""}${c.previousLabel ? `, was ${c.previousLabel}` : ""})`;
  if (c.status === "added") {
    // A new label: one line (its whole content is in `export --format zone` and in --json).
    ctx.print(`${MARK.added} ${who}: ${c.records.length} records (${c.records.map((r) => r.purpose).join(", ")})${c.pending.length > 0 ? `; pending: ${c.pending.join(", ")}` : ""}`);
    return;
  }
  ctx.print(`${MARK[c.status]} ${who}`);
  for (const a of c.creates) ctx.print(`    + ${line(a, zone)}`);
  for (const u of c.updates) ctx.print(`    ~ ${line(u.before, zone)}\n      → ${line(u.after, zone)}${u.explainedBy ? `  [${u.explainedBy}]` : ""}`);
  for (const d of c.deletes) ctx.print(`    - ${line(d.record, zone)}  [${d.explainedBy ?? `NOT EXPLAINED: ${d.why}`}]`);
  if (c.pending.length > 0) ctx.print(`    (pending: ${c.pending.join(", ")})`);
}

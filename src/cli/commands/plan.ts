import { planDns } from "../../operations/dns.js";
import type { OwnerPlan, ZonePlan } from "../../records/plan.js";
import { DKIM_OPTION } from "../options.js";
import { fqdnOf } from "../../records/validate.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "plan",
  summary: "what the DNS zone would contain and what changed since the last applied snapshot",
  usage: "[--departement D] [--save] [--snapshot FILE] [--dkim FILE] [--json]",
  description:
    "Builds the desired records from the ledger, the configuration's dns section and the DKIM store,\n" +
    "validates them, and compares them per commune with the last applied snapshot\n" +
    "(<ledger dir>/dns-applied.json): added, changed, removed, with counts, and the communes whose\n" +
    "DKIM key Messages has not given yet (their DKIM record is pending; the rest is published).\n" +
    "--save records the desired state as applied: run it right after a successful `pulumi up`.\n" +
    "With --departement, only that département's communes (one Pulumi stack) are compared or saved;\n" +
    "without it the zone-level records (the platform stack) are included.",
  examples: ["domaines plan --departement 48", "domaines plan --json", "domaines plan --departement 48 --save   # after pulumi up on dep-48"],
  options: {
    departement: { type: "string", valueName: "D", description: "only this département's communes (01, 2A, 974, …)" },
    save: { type: "boolean", description: "record the desired state as applied (after a successful apply)" },
    snapshot: { type: "string", valueName: "FILE", description: "applied snapshot instead of <ledger dir>/dns-applied.json" },
    dkim: DKIM_OPTION,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const dep = ctx.string("departement");
    const snapshot = ctx.string("snapshot");
    const plan = await planDns(ctx.ws, { ...(dep === undefined ? {} : { departement: dep }), ...(snapshot === undefined ? {} : { snapshot }), save: ctx.flag("save") });
    if (ctx.json) {
      ctx.printJson(plan);
      return 0;
    }
    const path = plan.snapshot;
    printPlan(ctx, plan, path);
    if (ctx.flag("save")) ctx.print(`\nSaved as applied: ${path}`);
    return 0;
  },
};

function printPlan(ctx: CommandContext, plan: ZonePlan, snapshot: string): void {
  const scope = plan.departement ? `département ${plan.departement}` : "the whole zone";
  ctx.print(`Plan for ${scope} in ${plan.zone}`);
  ctx.print(plan.appliedAt ? `compared with the snapshot applied ${plan.appliedAt} (${snapshot})` : `no applied snapshot yet (${snapshot}): every record is new`);
  const o = plan.owners;
  const r = plan.records;
  ctx.print("");
  ctx.print(`${plan.departement ? "Labels:" : "Owners:"}  ${o.total} (added ${o.added}, changed ${o.changed}, removed ${o.removed}, unchanged ${o.unchanged})${plan.departement ? "" : "  — labels, and the zone level (@)"}`);
  ctx.print(`Records: ${r.total} (added ${r.added}, changed ${r.changed}, removed ${r.removed}, unchanged ${r.unchanged})`);
  ctx.print(`By type: ${Object.entries(plan.byType).map(([t, n]) => `${t} ${n}`).join(", ") || "none"}`);
  if (plan.pendingDkim.length > 0) {
    const shown = plan.pendingDkim.slice(0, 30).map((p) => p.label).join(", ");
    ctx.print(`DKIM pending (no key from Messages yet; published once it arrives): ${plan.pendingDkim.length}: ${shown}${plan.pendingDkim.length > 30 ? ", …" : ""}`);
  } else {
    ctx.print("DKIM pending: none");
  }
  if (plan.changes.length > 0) {
    ctx.print("");
    ctx.print("Changes:");
    for (const c of plan.changes) printOwner(ctx, c, plan.zone);
  }
  if (plan.departement && plan.unchanged.length > 0) {
    ctx.print("");
    ctx.print(`Unchanged: ${plan.unchanged.map((u) => u.label).join(", ")}`);
  }
}

const MARK = { added: "+", changed: "~", removed: "-", unchanged: " " } as const;

function printOwner(ctx: CommandContext, c: OwnerPlan, zone: string): void {
  const who = c.owner === "zone" ? `zone level (${zone})` : `${c.label}${c.name ? ` — ${c.name}` : ""} (${c.state ?? "gone from the ledger"}${c.services.length > 0 ? `, ${c.services.join("+")}` : ""})`;
  if (c.status === "added") {
    // A new label: one line (its whole content is in `export --format zone` and in --json).
    ctx.print(`${MARK.added} ${who}: ${c.records.length} records (${c.records.map((r) => r.purpose).join(", ")})${c.pending.length > 0 ? `; pending: ${c.pending.join(", ")}` : ""}`);
    return;
  }
  ctx.print(`${MARK[c.status]} ${who}`);
  const line = (r: { name: string; type: string; value: string; ttl: number }) => `${fqdnOf(r.name, zone)} ${r.ttl} ${r.type} ${r.value}`;
  for (const a of c.added) ctx.print(`    + ${line(a)}`);
  for (const ch of c.changed) ctx.print(`    ~ ${line(ch.before!)}\n      → ${line(ch.after!)}`);
  for (const d of c.removed) ctx.print(`    - ${line(d)}`);
  if (c.pending.length > 0) ctx.print(`    (pending: ${c.pending.join(", ")})`);
}

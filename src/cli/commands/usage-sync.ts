import { InputError } from "../../errors.js";
import { usageSync, validateUsageHistory } from "../../operations/usage-sync.js";
import { formatStorageUsed } from "../../services/usage.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

export const command: CommandSpec = {
  name: "usage-sync",
  summary: "read storage used per commune from Messages and Fichiers into the usage history (one sample a day)",
  usage: "[--at ISO-8601] | --validate [--json]",
  description:
    "Reads Messages' /api/v1.0/metrics/mailbox_usage/ and Fichiers' /external_api/v1.0/metrics/usage/ (organisation\n" +
    "figures keyed by SIRET; a SIRET's first nine digits are the commune's SIREN) for every service with enrolled\n" +
    "communes, and appends one sample per commune, service and day to the usage history beside the ledger\n" +
    "(<ledger>/usage/YYYY-MM-DD.jsonl): append-only, written atomically; a second sync the same day keeps the first\n" +
    "sample. Run it daily: the four-monthly statement (cost --quadrimestre) rests on it. Unknown SIRETs, communes\n" +
    "not enrolled and enrolled communes without a figure are reported, never dropped silently.\n" +
    "Keys: DOMAINES_MESSAGES_METRICS_KEY (Bearer), DOMAINES_FICHIERS_METRICS_KEY (Api-Key); URLs in data/operators.json.\n" +
    "--at dates the samples (the Europe/Paris day of that instant); the figures are always read now.\n" +
    "Exit code 1 when an enrolled commune got no figure (a gap the statement will show), after writing the rest.\n" +
    "--validate reads nothing from the services: it checks every stored sample (exit 1 on a problem).",
  examples: ["domaines usage-sync", "domaines usage-sync --at 2026-03-14T06:00:00+01:00 --json", "domaines usage-sync --validate"],
  options: {
    at: { type: "string", valueName: "ISO-8601", description: "the instant (or day) the samples stand for (default: now)" },
    validate: { type: "boolean", description: "check the stored history instead of syncing" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const at = ctx.string("at");
    if (ctx.flag("validate")) {
      if (at !== undefined) throw new InputError("--at does not apply to --validate, which reads the whole history.");
      const report = await validateUsageHistory(ctx.ws);
      if (ctx.json) ctx.printJson(report);
      else {
        for (const p of report.problems) ctx.print(`PROBLEM ${p}`);
        if (report.note) ctx.print(`note: ${report.note}`);
        ctx.print(`${report.ok ? "valid" : "INVALID"}: ${report.samples} sample(s) over ${report.days} day(s) in ${report.location}`);
      }
      return report.ok ? 0 : 1;
    }
    const meta = { actor: ctx.actor(), command: auditCommand("usage-sync", ctx, ["at"]) };
    const r = await usageSync(ctx.ws, meta, at === undefined ? {} : { at });
    for (const w of r.warnings) ctx.warn(w);
    if (ctx.json) {
      const { warnings: _, ...json } = r;
      ctx.printJson(json);
    } else {
      ctx.print(`Usage samples for ${r.day} (read ${r.takenAt}), history ${r.history}`);
      for (const s of r.services) ctx.print(`  ${s.service}: ${s.organizations} organisation figure(s) from ${s.url}; ${s.samples} enrolled commune(s) sampled${s.otherAccounts > 0 ? `; ${s.otherAccounts} non-organisation entries left out` : ""}`);
      if (r.services.length === 0) ctx.print("  no commune is enrolled in a service: nothing to read");
      ctx.print(`  ${r.added} sample(s) written${r.alreadySampled.length > 0 ? `, ${r.alreadySampled.length} already sampled that day (first kept)` : ""}`);
      for (const m of r.missing) ctx.print(`  NO FIGURE: ${m.name} (${m.key}) is enrolled in ${m.service} but the service reported nothing: a gap for ${r.day}`);
      for (const u of r.unknownSirets) ctx.print(`  UNKNOWN SIRET ${u.siret} in ${u.service} (${formatStorageUsed(u.storageUsedBytes)}): its SIREN is no current commune; not recorded`);
      for (const n of r.notEnrolled) ctx.print(`  NOT ENROLLED: ${n.name} (${n.key}) in ${n.service} (${formatStorageUsed(n.storageUsedBytes)}): not recorded`);
      for (const b of r.badSirets) ctx.print(`  BAD SIRET ${b.siret} in ${b.service}: not 14 digits; not recorded`);
    }
    return r.missing.length > 0 ? 1 : 0;
  },
};

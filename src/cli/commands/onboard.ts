import { InputError } from "../../errors.js";
import { ENROLLABLE_SERVICES, parseQuota, parseServiceList } from "../../ledger/services.js";
import { onboard } from "../../operations/enrolment.js";
import { auditCommand } from "../audit-command.js";
import { formatSize } from "../../units/size.js";
import type { CommandSpec } from "../command.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

const accounts = Object.entries(ENROLLABLE_SERVICES).map(([s, a]) => a.map((x) => `${s}.${x}`).join(", ")).join(", ");

export const command: CommandSpec = {
  name: "onboard",
  summary: "enrol a commune in services (allocating its label if needed), with optional quota overrides",
  usage: "<query> --services messages,fichiers [--quota SERVICE.ACCOUNT=SIZE|default]… [--direct] [--json]",
  description:
    `Services: ${Object.keys(ENROLLABLE_SERVICES).join(", ")}. Quota accounts: ${accounts}.\n` +
    "Sizes are decimal (500MB, 50GB, 1.5TB) or unlimited; =default clears an override (the policy applies again).\n" +
    "Running it again is harmless: the first enrolment date is kept and only the quotas given are changed.\n" +
    "The commune must be covered by a mutualisation structure (data/operators.json, `domaines members`);\n" +
    "one that no structure covers is refused (code not-covered) unless --direct asks for a direct enrolment\n" +
    "by ANCT (contract art. 3.3): the policy's minimal quotas, the subscription held by ANCT's operator.",
  examples: [
    "domaines onboard Mende --services messages,fichiers",
    "domaines onboard 214800955 --services messages --quota messages.mailbox=5GB --actor onboarding",
    "domaines onboard Mende --services messages --quota messages.mailbox=default",
    "domaines onboard Chanac --services messages --direct",
  ],
  options: {
    services: { type: "string", valueName: "LIST", description: "comma-separated services to enrol the commune in" },
    quota: { type: "string", multiple: true, valueName: "S.A=SIZE", description: "a per-commune quota override (repeatable); =default clears it" },
    direct: { type: "boolean", description: "a direct enrolment by ANCT, for a commune no structure covers (minimal quotas)" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 1, max: 1, name: "query" },
  async run(ctx) {
    const raw = ctx.string("services");
    if (raw === undefined) throw new InputError(`--services is required: which services to enrol the commune in (${Object.keys(ENROLLABLE_SERVICES).join(", ")}).`);
    const services = parseServiceList(raw);
    const quotas = ctx.strings("quota").map(parseQuota);
    const direct = ctx.flag("direct");
    const meta = { actor: ctx.actor(), command: auditCommand("onboard", ctx, ["services", "quota", "direct"]) };
    const result = await onboard(ctx.ws, meta, { query: ctx.positionals[0]!, services, quotas, direct });
    const a = result.allocation;
    if (ctx.json) {
      ctx.printJson({ ...a, fqdn: result.fqdn, services: result.services, changed: result.changed });
    } else {
      ctx.print(`${a.name} (${a.departement}) — ${result.fqdn} (${a.status === "allocated" ? "label allocated now" : "label already held"})`);
      for (const [s, e] of Object.entries(result.services)) {
        const q = Object.entries(e.quotas).map(([acc, v]) => `${acc} ${formatSize(v)}`).join(", ");
        const how = e.direct ? "; direct enrolment by ANCT (contract art. 3.3)" : "";
        ctx.print(`  ${s}: enrolled since ${e.enrolledAt.slice(0, 10)}${how}${q ? `; quota overrides: ${q}` : e.direct ? "; minimal quotas" : "; policy quotas"}${result.changed.includes(s) ? "  (changed now)" : ""}`);
      }
      if (result.changed.length === 0) ctx.print("  nothing changed");
    }
    return 0;
  },
};

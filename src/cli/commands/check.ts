import { quoteInput } from "../../errors.js";
import { explainReason } from "../../naming/labels.js";
import { lookup } from "../../naming/lookup.js";
import { normalizeQuery } from "../../naming/query.js";
import type { CommandSpec } from "../command.js";
import { communeLabelView } from "../views.js";

export const command: CommandSpec = {
  name: "check",
  summary: "which communes a name, code, label or domain designates, and why its label is what it is",
  usage: "<query> [--json]",
  description:
    "The query may be a commune name (with or without accents), a SIREN, an INSEE code, a label,\n" +
    "a domain under the zone, an IDN (saint-rémy.collectivite.fr) or an A-label (xn--…).\n" +
    "Exits 1 when the query designates no commune.",
  examples: ["domaines check Mende", "domaines check saint-denis", "domaines check saint-denis-93.collectivite.fr --json", "domaines check 214800957"],
  options: {},
  positionals: { min: 1, max: 1, name: "query" },
  async run(ctx) {
    const config = ctx.config();
    const normalized = normalizeQuery(ctx.positionals[0]!, config.zone);
    const { communes } = ctx.communeData();
    const labels = ctx.computedLabels();
    const result = lookup(communes, labels, normalized, ctx.reserved());
    const matches = result.matches.map(({ commune, via }) => {
      const computed = labels.get(commune.key)!;
      return {
        ...communeLabelView(commune, computed),
        fqdn: computed.label ? `${computed.label}.${config.zone}` : null,
        matchedBy: via,
        explanation: explainReason(computed, commune.departement),
      };
    });
    if (ctx.json) {
      ctx.printJson({
        query: normalized.input,
        normalized: { kind: normalized.kind, unicode: normalized.unicode, ascii: normalized.ascii, lookup: normalized.value },
        label: result.labelFacts ?? null,
        matches,
      });
    } else {
      const shown = normalized.unicode === normalized.ascii ? normalized.ascii : `${normalized.unicode} (ASCII: ${normalized.ascii})`;
      ctx.print(`Query: ${shown} — read as ${normalized.kind === "label-or-name" ? "a name or label" : `a ${normalized.kind}`}`);
      const facts = result.labelFacts;
      if (facts?.problem) ctx.print(`The label "${facts.label}" cannot be allocated: ${facts.problem}.`);
      if (facts?.homonymGroupSlug) ctx.print(`"${facts.label}" is the shared slug of ${result.matches.length} homonym communes: it is reserved and given to none of them.`);
      for (const m of matches) {
        ctx.print("");
        ctx.print(`${m.name} (${m.departement}) — INSEE ${m.insee}, ${m.siren ? `SIREN ${m.siren}` : `no SIREN, key ${m.key}`}`);
        ctx.print(`  label: ${m.label ?? "none"}${m.fqdn ? `  (${m.fqdn})` : ""}`);
        ctx.print(`  why: ${m.problem ?? m.explanation}`);
        if (m.homonyms.length > 0) ctx.print(`  homonym group (slug "${m.slug}"): ${m.homonyms.join(", ")} and this one`);
      }
    }
    if (matches.length === 0) {
      ctx.warn(`no current commune matches ${quoteInput(normalized.input)}; try the name with its accents, the INSEE code or the SIREN.`);
      return 1;
    }
    return 0;
  },
};

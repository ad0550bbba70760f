import type { CommandSpec } from "../command.js";
import { listNames } from "../../operations/names.js";

export const command: CommandSpec = {
  name: "names",
  summary: "list every current commune (or one département) with its computed label",
  usage: "[--departement D] [--json]",
  description: "Labels are computed over all of France (homonymy is national), then filtered.",
  examples: ["domaines names --departement 48", "domaines names --departement 2A --json"],
  options: {
    departement: { type: "string", valueName: "D", description: "only this département (01, 2A, 974, …)" },
  },
  positionals: { min: 0, max: 0, name: "" },
  naming: true,
  async run(ctx) {
    const dep = ctx.string("departement");
    const views = listNames(ctx.naming, dep === undefined ? {} : { departement: dep });
    if (ctx.json) {
      ctx.printJson(views);
    } else {
      const width = Math.max(...views.map((v) => (v.label ?? "").length), 5);
      for (const v of views) {
        const homonymNote = v.homonyms.length > 0 ? `  homonym of ${v.homonyms.join(", ")}` : "";
        const problem = v.problem ? `  INVALID: ${v.problem}` : "";
        ctx.print(`${(v.label ?? "-").padEnd(width)}  ${v.insee}  ${v.name}${homonymNote}${problem}`);
      }
      const suffixed = views.filter((v) => v.homonyms.length > 0).length;
      ctx.print(`\n${views.length} communes, ${suffixed} with a département suffix (homonyms), ${views.filter((v) => v.problem).length} without a valid label.`);
    }
    return views.some((v) => v.problem) ? 1 : 0;
  },
};

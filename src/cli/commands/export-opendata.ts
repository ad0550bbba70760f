import { InputError } from "../../errors.js";
import { exportOpendata } from "../../operations/opendata.js";
import type { CommandContext } from "../context.js";

/** `export --format opendata --out DIR`: the open dataset of art. 3.3 (collectivites.csv, structures.csv, datapackage.json). */
export async function exportOpendataCommand(ctx: CommandContext): Promise<number> {
  const out = ctx.string("out");
  if (out === undefined) throw new InputError("--format opendata writes three files: add --out DIR (created if needed).");
  for (const option of ["departement", "serial", "dkim"]) {
    if (ctx.string(option) !== undefined) throw new InputError(`--${option} does not apply to --format opendata: the dataset lists every enrolled commune.`);
  }
  const r = await exportOpendata(ctx.ws, { dir: out });
  for (const w of r.warnings) ctx.warn(w);
  if (ctx.json) ctx.printJson({ format: "opendata", dir: r.dir, files: r.files, collectivites: r.collectivites, structures: r.structures });
  else ctx.warn(`${r.collectivites} collectivité(s) and ${r.structures} structure(s) written to ${r.dir} (${r.files.join(", ")})`);
  return 0;
}

import { createRequire } from "node:module";
import { InputError, FailureError } from "../errors.js";
import { readInputText } from "../input-file.js";
import { readCompiled } from "./compiled.js";
import { z } from "zod";
import { rawCommuneSchema, type Commune, type CommuneData, type DelegatedCommune, type RawCommune } from "./schema.js";

/** Pseudo-communes that get no label: TAAF (984) and Clipperton (989). */
const EXCLUDED_DEPARTEMENTS = new Set(["984", "989"]);

export function communeKey(siren: string | undefined, insee: string): string {
  return siren ?? `insee:${insee}`;
}

/** The `communes.json` bundled with the pinned @etalab/decoupage-administratif. */
export function bundledCommunesPath(): string {
  return createRequire(import.meta.url).resolve("@etalab/decoupage-administratif/data/communes.json");
}

/**
 * The current communes: from `--communes FILE` (validated now), or the bundled COG
 * (validated at build time when dist/communes.compiled.json is current, else now).
 */
export function loadCommunes(file?: string): CommuneData {
  if (file === undefined) return readCompiled() ?? validateCommunesFile(bundledCommunesPath());
  return validateCommunesFile(file);
}

/** Reads and validates a communes.json in the @etalab/decoupage-administratif format. */
export function validateCommunesFile(path: string): CommuneData {
  const text = readInputText(path, `communes file ${path}`, { hint: "Pass a communes.json in the @etalab/decoupage-administratif format with --communes FILE." });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`communes file ${path} is not valid JSON (${(err as Error).message}). It must be a communes.json in the @etalab/decoupage-administratif format.`);
  }
  return parseCommunes(json, path);
}

/** Validates parsed commune JSON; every malformed record is reported with its index and code. */
export function parseCommunes(json: unknown, source: string): CommuneData {
  if (!Array.isArray(json)) {
    throw new InputError(`communes file ${source} must hold a JSON array of commune records (the @etalab/decoupage-administratif format).`);
  }
  // One array parse is twice as fast as a parse per record; issues carry the record index.
  const parsed = z.array(rawCommuneSchema).safeParse(json);
  if (!parsed.success) {
    const byRecord = new Map<number, string[]>();
    for (const issue of parsed.error.issues) {
      const [index, ...field] = issue.path;
      const list = byRecord.get(Number(index)) ?? [];
      list.push(`${field.join(".") || "record"}: ${issue.message}`);
      byRecord.set(Number(index), list);
    }
    const problems = [...byRecord].map(([index, what]) => {
      const item: unknown = json[index];
      const code = typeof item === "object" && item !== null && "code" in item ? ` (code ${JSON.stringify((item as { code: unknown }).code)})` : "";
      return `record #${index}${code}: ${what.join("; ")}`;
    });
    const shown = problems.slice(0, 10).join("\n  ");
    const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : "";
    throw new InputError(`communes file ${source} has ${problems.length} malformed record(s):\n  ${shown}${more}`);
  }
  const communes: Commune[] = [];
  const delegated: DelegatedCommune[] = [];
  for (const r of parsed.data as RawCommune[]) {
    if (r.type === "commune-actuelle") {
      if (!r.departement) throw new InputError(`communes file ${source}: current commune ${r.code} has no departement.`);
      if (EXCLUDED_DEPARTEMENTS.has(r.departement)) continue;
      communes.push({
        key: communeKey(r.siren, r.code),
        siren: r.siren ?? null,
        insee: r.code,
        name: r.nom.normalize("NFC"),
        departement: r.departement,
        region: r.region ?? null,
        population: r.population ?? null,
        postalCodes: r.codesPostaux ?? [],
      });
    } else if ((r.type === "commune-deleguee" || r.type === "commune-associee") && r.chefLieu) {
      delegated.push({ insee: r.code, name: r.nom.normalize("NFC"), type: r.type, chefLieu: r.chefLieu });
    }
  }
  const seen = new Map<string, string>();
  const byInsee = new Map<string, string>();
  for (const c of communes) {
    const other = seen.get(c.key);
    if (other) throw new InputError(`communes file ${source}: key ${c.key} is held by both ${other} and ${c.insee}; each current commune needs its own SIREN.`);
    seen.set(c.key, c.insee);
    // Two current communes with one INSEE code: which one a code designates, and the labels of homonyms, would depend on the order of the file.
    const sameCode = byInsee.get(c.insee);
    if (sameCode !== undefined) throw new InputError(`communes file ${source}: INSEE code ${c.insee} is given to two current communes (${JSON.stringify(sameCode)} and ${JSON.stringify(c.name)}); each current commune has its own code. Fix the file (a COG snapshot never repeats a code).`);
    byInsee.set(c.insee, c.name);
  }
  if (communes.length === 0) throw new FailureError(`communes file ${source} holds no current commune.`);
  return { source, communes, delegated };
}

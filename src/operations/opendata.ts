import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../errors.js";
import { primaryEntries } from "../ledger/entries.js";
import { replaceDurably } from "../ledger/fsync.js";
import { isServiceName } from "../services/catalog.js";
import { membership, subscriptionHolder } from "../services/membership.js";
import { renderOpenDataset, type CollectiviteRow, type StructureRow } from "../services/opendata.js";
import type { Workspace } from "../workspace.js";

export interface OpendataOutcome {
  dir: string;
  files: string[];
  collectivites: number;
  structures: number;
  warnings: string[];
}

/**
 * `export --format opendata --out DIR`: collectivites.csv (every commune enrolled in a
 * service), structures.csv (every mutualisation structure) and datapackage.json, each
 * file written atomically into DIR (created if needed).
 */
export async function exportOpendata(ws: Workspace, options: { dir: string }): Promise<OpendataOutcome> {
  const warnings: string[] = [];
  const index = membership(ws);
  const structuresOf = ws.operators().operators.filter((o) => !o.directEnrolments);
  for (const o of structuresOf) if (o.example) warnings.push(`operator ${o.name} is an EXAMPLE configuration: do not publish this dataset as is.`);
  const entries = await ws.store().read();
  const collectivites: CollectiviteRow[] = [];
  const usersOf = new Map<string, number>();
  for (const e of primaryEntries(entries)) {
    const services = Object.keys(e.services).filter(isServiceName).sort();
    if (services.length === 0) continue;
    const commune = ws.communeByKey(e.key);
    if (!commune) {
      warnings.push(`${e.label} (${e.key}) is enrolled but is no current commune (run cog-sync): left out.`);
      continue;
    }
    const holders = services.map((s) => subscriptionHolder(index, e.key, e.services[s]!));
    const direct = holders.some((h) => h.operator !== null && h.reach === "direct");
    const structure = direct ? null : (index.coverage(e.key)?.operator.name ?? null);
    if (!direct && structure === null) warnings.push(`${commune.name} (${e.label}) is enrolled but neither covered by a structure nor enrolled directly: listed without a structure.`);
    if (structure) usersOf.set(structure, (usersOf.get(structure) ?? 0) + 1);
    collectivites.push({
      siren: commune.siren,
      code_insee: commune.insee,
      nom: commune.name,
      code_departement: commune.departement,
      label: e.label,
      fqdn: `${e.label}.${ws.zone()}`,
      services: services.join(" "),
      depuis: services.map((s) => e.services[s]!.enrolledAt).sort()[0]!.slice(0, 10),
      structure,
      deploiement: direct ? "direct" : "structure",
    });
  }
  collectivites.sort((a, b) => String(a.code_insee).localeCompare(String(b.code_insee)));
  const structures: StructureRow[] = structuresOf.map((o) => {
    const covered = index.covered(o.name);
    const deps = new Set(covered.flatMap(({ key }) => ws.communeByKey(key)?.departement ?? []));
    return {
      id: o.name,
      nom: o.title,
      siren: o.siren,
      intercommunalites: o.epcis.join(" ") || null,
      departements: [...deps].sort().join(" ") || null,
      communes_couvertes: covered.length,
      collectivites_utilisatrices: usersOf.get(o.name) ?? 0,
    };
  });
  const dataset = renderOpenDataset(collectivites, structures, new Date().toISOString());
  const dir = resolve(options.dir);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(dataset)) replaceDurably(join(dir, name), text);
  } catch (err) {
    throw new InputError(`cannot write the open dataset into ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check that it is a writable directory.`);
  }
  return { dir, files: Object.keys(dataset), collectivites: collectivites.length, structures: structures.length, warnings };
}

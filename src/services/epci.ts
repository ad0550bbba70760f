import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { z } from "zod";
import { InputError } from "../errors.js";
import { parseWith } from "../json-file.js";

/**
 * Intercommunalités à fiscalité propre (EPCI: communautés de communes, d'agglomération,
 * urbaines, métropoles), from the `epci.json` of the pinned @etalab/decoupage-administratif,
 * the same release as the bundled communes. Every EPCI there is à fiscalité propre
 * (FPU or FA); the établissements publics territoriaux of the Grand Paris are in another
 * file and are not EPCIs for the contract.
 */
const rawEpci = z.looseObject({
  code: z.string().regex(/^\d{9}$/, "an EPCI's SIREN (9 digits)"),
  nom: z.string().min(1),
  type: z.string().min(1),
  modeFinancement: z.string().optional(),
  populationMunicipale: z.number().int().nonnegative(),
  membres: z.array(
    z.looseObject({
      code: z.string().regex(/^(\d{5}|2[AB]\d{3})$/, "an INSEE code"),
      siren: z.string().regex(/^\d{9}$/).optional(),
      nom: z.string().min(1),
    }),
  ).min(1),
});

export interface Epci {
  siren: string;
  name: string;
  /** CC, CA, CU, METRO, MET69. */
  type: string;
  /** Population municipale of the whole EPCI (INSEE), what the 15,000 threshold reads. */
  population: number;
  /** Member communes by commune key (SIREN, or insee:<code>), with their name and INSEE code. */
  members: { key: string; insee: string; name: string }[];
}

export interface EpciData {
  source: string;
  bySiren: ReadonlyMap<string, Epci>;
}

export function bundledEpciPath(): string {
  return createRequire(import.meta.url).resolve("@etalab/decoupage-administratif/data/epci.json");
}

const loaded = new Map<string, EpciData>();

/** The EPCIs of a file in the @etalab format (default: the bundled one), validated once per process. */
export function loadEpcis(path = bundledEpciPath()): EpciData {
  const known = loaded.get(path);
  if (known) return known;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read the EPCI data ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const records = parseWith(z.array(rawEpci), json, `EPCI data ${path}`, { maxIssues: 10 });
  const bySiren = new Map<string, Epci>();
  for (const r of records) {
    bySiren.set(r.code, {
      siren: r.code,
      name: r.nom.normalize("NFC"),
      type: r.type,
      population: r.populationMunicipale,
      members: r.membres.map((m) => ({ key: m.siren ?? `insee:${m.code}`, insee: m.code, name: m.nom.normalize("NFC") })),
    });
  }
  const data = { source: path, bySiren };
  loaded.set(path, data);
  return data;
}

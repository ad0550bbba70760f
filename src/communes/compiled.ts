import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ComputedLabel, LabelReason } from "../naming/labels.js";
import { projectRoot } from "../paths.js";
import type { Commune, CommuneData, DelegatedCommune } from "./schema.js";

/**
 * The bundled COG, validated and reduced at build time (`npm run build`) into
 * dist/communes.compiled.json, so that a CLI call does not re-validate 37,590 records
 * it has already checked. It names the package version it came from; if the installed
 * package differs, the caller validates afresh.
 *
 * Stored by column (one array per field): JSON.parse of arrays of plain values is about
 * twice as fast as of 35,000 objects with repeated keys. It also carries the computed
 * labels (a pure function of the names and the reserved list), with the digest of the
 * reserved list they were computed against: with another list, labels are computed afresh.
 */
export const PACKAGE = "@etalab/decoupage-administratif";

interface CompiledFile {
  source: string;
  compiledFrom: { package: string; version: string };
  delegated: DelegatedCommune[];
  communes: {
    key: string[];
    siren: (string | null)[];
    insee: string[];
    name: string[];
    departement: string[];
    region: (string | null)[];
    population: (number | null)[];
    postalCodes: string[][];
    slug: string[];
  };
  labels: {
    reservedSha: string;
    label: (string | null)[];
    reason: LabelReason[];
    /** Index of the commune → INSEE codes of the other members of its slug group (only for groups). */
    homonyms: Record<string, string[]>;
    /** Index → the label problem (only where there is one). */
    problem: Record<string, NonNullable<ComputedLabel["problem"]>>;
  };
}

export function compiledPath(): string {
  return join(projectRoot(), "dist", "communes.compiled.json");
}

let version: string | undefined;
export function installedPackageVersion(): string {
  if (version === undefined) {
    const require = createRequire(import.meta.url);
    version = (JSON.parse(readFileSync(require.resolve(`${PACKAGE}/package.json`), "utf8")) as { version: string }).version;
  }
  return version;
}

export function reservedDigest(reservedText: string): string {
  return createHash("sha256").update(reservedText).digest("hex");
}

/** The compiled file's text for validated data and its labels. */
export function compiledText(data: CommuneData, labels: ReadonlyMap<string, ComputedLabel>, reservedText: string): string {
  const cs = data.communes;
  const homonyms: Record<string, string[]> = {};
  const problem: CompiledFile["labels"]["problem"] = {};
  cs.forEach((c, i) => {
    const l = labels.get(c.key)!;
    if (l.homonyms.length > 0) homonyms[i] = l.homonyms;
    if (l.problem) problem[i] = l.problem;
  });
  const file: CompiledFile = {
    source: data.source,
    compiledFrom: { package: PACKAGE, version: installedPackageVersion() },
    delegated: data.delegated,
    communes: {
      key: cs.map((c) => c.key),
      siren: cs.map((c) => c.siren),
      insee: cs.map((c) => c.insee),
      name: cs.map((c) => c.name),
      departement: cs.map((c) => c.departement),
      region: cs.map((c) => c.region),
      population: cs.map((c) => c.population),
      postalCodes: cs.map((c) => c.postalCodes),
      slug: cs.map((c) => c.slug!),
    },
    labels: { reservedSha: reservedDigest(reservedText), label: cs.map((c) => labels.get(c.key)!.label), reason: cs.map((c) => labels.get(c.key)!.reason), homonyms, problem },
  };
  return JSON.stringify(file);
}

let read: CompiledFile | null | undefined;
function compiledFile(): CompiledFile | null {
  if (read !== undefined) return read;
  const path = compiledPath();
  read = null;
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as CompiledFile;
    if (data.compiledFrom?.version === installedPackageVersion() && Array.isArray(data.communes?.key)) read = data;
  } catch {
    // a damaged build artefact: fall back to validating the package data
  }
  return read;
}

/** The compiled data when it exists and matches the installed package; otherwise null. */
export function readCompiled(): CommuneData | null {
  const f = compiledFile();
  if (!f) return null;
  const c = f.communes;
  const communes: Commune[] = new Array(c.key.length);
  for (let i = 0; i < c.key.length; i++) {
    communes[i] = { key: c.key[i]!, siren: c.siren[i]!, insee: c.insee[i]!, name: c.name[i]!, departement: c.departement[i]!, region: c.region[i]!, population: c.population[i]!, postalCodes: c.postalCodes[i]!, slug: c.slug[i]! };
  }
  return { source: f.source, communes, delegated: f.delegated, compiled: true };
}

/** The compiled labels when they were computed against this reserved list; otherwise null. */
export function readCompiledLabels(reservedText: string): Map<string, ComputedLabel> | null {
  const f = compiledFile();
  if (!f || f.labels?.reservedSha !== reservedDigest(reservedText)) return null;
  const { key, slug } = f.communes;
  const { label, reason, homonyms, problem } = f.labels;
  const out = new Map<string, ComputedLabel>();
  for (let i = 0; i < key.length; i++) {
    out.set(key[i]!, { key: key[i]!, slug: slug[i]!, label: label[i]!, reason: reason[i]!, homonyms: homonyms[i] ?? [], problem: problem[i] ?? null });
  }
  return out;
}

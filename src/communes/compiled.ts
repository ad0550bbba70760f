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

/**
 * Format 2: each string column is one string, its values joined by "\n" (null as ""), which
 * JSON.parse reads as one value and `split` cuts in a few milliseconds: about half the
 * cost of an array of 35,000 strings per column, paid by every command at start-up.
 */
const FORMAT = 2;
const SEP = "\n";

interface CompiledFile {
  format: typeof FORMAT;
  source: string;
  compiledFrom: { package: string; version: string };
  delegated: DelegatedCommune[];
  /** Rows in each column. */
  count: number;
  communes: {
    key: string;
    /** "" for none. */
    siren: string;
    insee: string;
    name: string;
    departement: string;
    /** "" for none. */
    region: string;
    population: (number | null)[];
    /** Each commune's codes separated by " ". */
    postalCodes: string;
    slug: string;
  };
  labels: {
    reservedSha: string;
    /** "" for none. */
    label: string;
    reason: string;
    /** Index of the commune → INSEE codes of the other members of its slug group (only for groups). */
    homonyms: Record<string, string[]>;
    /** Index → the label problem (only where there is one). */
    problem: Record<string, NonNullable<ComputedLabel["problem"]>>;
  };
}

/** One column as one string; a value holding the separator, or "" in a column where "" means none, cannot be stored this way. */
function column(values: readonly (string | null)[], what: string, nullable: boolean): string {
  for (const v of values) {
    if (v === null ? !nullable : v.includes(SEP) || (v === "" && nullable)) {
      throw new Error(`internal: cannot compile the ${what} ${JSON.stringify(v)} (empty, or holds a separator)`);
    }
  }
  return values.map((v) => v ?? "").join(SEP);
}

/** A commune's postal codes as one value ("" for none). */
function postalCodesText(codes: readonly string[]): string {
  for (const code of codes) if (code === "" || /\s/.test(code)) throw new Error(`internal: cannot compile the postal code ${JSON.stringify(code)}`);
  return codes.join(" ");
}

function split(text: string, count: number, what: string): string[] {
  const out = count === 0 ? [] : text.split(SEP);
  if (out.length !== count) throw new Error(`damaged ${what} column`);
  return out;
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
    format: FORMAT,
    source: data.source,
    compiledFrom: { package: PACKAGE, version: installedPackageVersion() },
    delegated: data.delegated,
    count: cs.length,
    communes: {
      key: column(cs.map((c) => c.key), "key", false),
      siren: column(cs.map((c) => c.siren), "SIREN", true),
      insee: column(cs.map((c) => c.insee), "INSEE code", false),
      name: column(cs.map((c) => c.name), "name", false),
      departement: column(cs.map((c) => c.departement), "département", false),
      region: column(cs.map((c) => c.region), "region", true),
      population: cs.map((c) => c.population),
      postalCodes: column(cs.map((c) => postalCodesText(c.postalCodes)), "postal codes", false),
      slug: column(cs.map((c) => c.slug!), "slug", false),
    },
    labels: { reservedSha: reservedDigest(reservedText), label: column(cs.map((c) => labels.get(c.key)!.label), "label", true), reason: column(cs.map((c) => labels.get(c.key)!.reason), "label reason", false), homonyms, problem },
  };
  return JSON.stringify(file);
}

interface Columns {
  key: string[];
  siren: string[];
  insee: string[];
  name: string[];
  departement: string[];
  region: string[];
  population: (number | null)[];
  postalCodes: string[];
  slug: string[];
  label: string[];
  reason: string[];
}

let read: { file: CompiledFile; columns: Columns } | null | undefined;
function compiledFile(): { file: CompiledFile; columns: Columns } | null {
  if (read !== undefined) return read;
  const path = compiledPath();
  read = null;
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as CompiledFile;
    if (data.format === FORMAT && data.compiledFrom?.version === installedPackageVersion()) {
      const n = data.count;
      const c = data.communes;
      if (c.population.length !== n) throw new Error("damaged population column");
      const columns: Columns = {
        key: split(c.key, n, "key"),
        siren: split(c.siren, n, "siren"),
        insee: split(c.insee, n, "insee"),
        name: split(c.name, n, "name"),
        departement: split(c.departement, n, "departement"),
        region: split(c.region, n, "region"),
        population: c.population,
        postalCodes: split(c.postalCodes, n, "postalCodes"),
        slug: split(c.slug, n, "slug"),
        label: split(data.labels.label, n, "label"),
        reason: split(data.labels.reason, n, "reason"),
      };
      read = { file: data, columns };
    }
  } catch {
    // a damaged build artefact: fall back to validating the package data
  }
  return read;
}

/** The compiled data when it exists and matches the installed package; otherwise null. */
export function readCompiled(): CommuneData | null {
  const compiled = compiledFile();
  if (!compiled) return null;
  const c = compiled.columns;
  const communes: Commune[] = new Array(c.key.length);
  for (let i = 0; i < c.key.length; i++) {
    const postal = c.postalCodes[i]!;
    communes[i] = {
      key: c.key[i]!,
      siren: c.siren[i]! === "" ? null : c.siren[i]!,
      insee: c.insee[i]!,
      name: c.name[i]!,
      departement: c.departement[i]!,
      region: c.region[i]! === "" ? null : c.region[i]!,
      population: c.population[i]!,
      postalCodes: postal === "" ? [] : postal.split(" "),
      slug: c.slug[i]!,
    };
  }
  return { source: compiled.file.source, communes, delegated: compiled.file.delegated, compiled: true };
}

/** The compiled labels when they were computed against this reserved list; otherwise null. */
export function readCompiledLabels(reservedText: string): Map<string, ComputedLabel> | null {
  const compiled = compiledFile();
  if (!compiled || compiled.file.labels?.reservedSha !== reservedDigest(reservedText)) return null;
  const { key, slug, label, reason } = compiled.columns;
  const { homonyms, problem } = compiled.file.labels;
  const out = new Map<string, ComputedLabel>();
  for (let i = 0; i < key.length; i++) {
    out.set(key[i]!, { key: key[i]!, slug: slug[i]!, label: label[i]! === "" ? null : label[i]!, reason: reason[i]! as LabelReason, homonyms: homonyms[i] ?? [], problem: problem[i] ?? null });
  }
  return out;
}

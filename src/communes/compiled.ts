import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { projectRoot } from "../paths.js";
import type { CommuneData } from "./schema.js";

/**
 * The bundled COG, validated and reduced at build time (`npm run build`) into
 * dist/communes.compiled.json, so that a CLI call does not re-validate 37,590 records
 * it has already checked (half of its start-up time otherwise). It names the package
 * version it came from; if the installed package differs, the caller validates afresh.
 */
export interface CompiledCommunes extends CommuneData {
  compiledFrom: { package: string; version: string };
}

export const PACKAGE = "@etalab/decoupage-administratif";

export function compiledPath(): string {
  return join(projectRoot(), "dist", "communes.compiled.json");
}

export function installedPackageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve(`${PACKAGE}/package.json`), "utf8")) as { version: string };
  return pkg.version;
}

/** The compiled data when it exists and matches the installed package; otherwise null. */
export function readCompiled(): CommuneData | null {
  const path = compiledPath();
  if (!existsSync(path)) return null;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as CompiledCommunes;
    if (data.compiledFrom?.version !== installedPackageVersion()) return null;
    return { source: data.source, communes: data.communes, delegated: data.delegated };
  } catch {
    return null; // a damaged build artefact: fall back to validating the package data
  }
}

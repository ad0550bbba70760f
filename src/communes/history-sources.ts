/**
 * The COG snapshots the history index is built from: devDependencies cog2022…cog2025
 * (npm aliases of @etalab/decoupage-administratif) and the current one. Only where
 * devDependencies are installed (a checkout, CI): production reads the committed index.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { buildHistory, type HistorySnapshot } from "./history-build.js";
import { serializeHistory } from "./history.js";
import { parseCommunes } from "./load.js";

/** The pinned snapshots, oldest first: the COG year and the package that holds it. */
export const HISTORY_SOURCES = [
  { cog: 2022, pkg: "cog2022" },
  { cog: 2023, pkg: "cog2023" },
  { cog: 2024, pkg: "cog2024" },
  { cog: 2025, pkg: "cog2025" },
  { cog: 2026, pkg: "@etalab/decoupage-administratif" },
] as const;

const require = createRequire(import.meta.url);

export function readSnapshot(cog: number, pkg: string): HistorySnapshot {
  const path = require.resolve(`${pkg}/data/communes.json`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as { code: string; type: string; anciensCodes?: string[] }[];
  const version = (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
  const formerCodes = new Map<string, string[]>();
  for (const r of raw) if (r.type === "commune-actuelle" && r.anciensCodes?.length) formerCodes.set(r.code, r.anciensCodes);
  return { cog, version, data: parseCommunes(raw, `${pkg}/data/communes.json`), formerCodes };
}

/** The history as the installed snapshots give it, serialized as it is committed. */
export function freshHistoryText(): string {
  return serializeHistory(buildHistory(HISTORY_SOURCES.map((s) => readSnapshot(s.cog, s.pkg))));
}

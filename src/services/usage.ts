import { z } from "zod";
import { readJsonFile } from "../json-file.js";

/**
 * Usage figures as the services' usage-metric endpoints return them (Fichiers
 * `metrics/usage/`, Messages `metrics/mailbox_usage/`), one response per service:
 * `{"messages": {results: [...]}, "fichiers": {results: [...]}}`.
 */
const metricsResponse = z.looseObject({
  results: z.array(
    z.looseObject({
      account: z.looseObject({ type: z.string() }),
      siret: z.string().regex(/^\d{14}$/, "a SIRET of 14 digits"),
      metrics: z.looseObject({ storage_used: z.number().int().nonnegative() }),
    }),
  ),
});

export const usageFileSchema = z.strictObject({
  $comment: z.string().optional(),
  /** The month the figures were taken, for the report only. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month such as 2026-03").optional(),
  messages: metricsResponse.optional(),
  fichiers: metricsResponse.optional(),
});
export type UsageFile = z.output<typeof usageFileSchema>;

export function loadUsage(path: string): UsageFile {
  return readJsonFile(path, usageFileSchema, `usage file ${path}`);
}

/** Storage used per service and SIREN (organisation-level figures; several SIRETs of one SIREN add up). */
export function storageBySiren(file: UsageFile): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const service of ["messages", "fichiers"] as const) {
    const bySiren = new Map<string, number>();
    for (const r of file[service]?.results ?? []) {
      if (r.account.type !== "organization") continue; // per-mailbox figures would count twice
      const siren = r.siret.slice(0, 9);
      bySiren.set(siren, (bySiren.get(siren) ?? 0) + r.metrics.storage_used);
    }
    if (file[service]) out.set(service, bySiren);
  }
  return out;
}

/** Storage used, for people: decimal units with two decimals (12345678901 → "12.35 GB"), never a raw byte count above 1 KB. */
export function formatStorageUsed(bytes: number): string {
  for (const [unit, factor] of [["TB", 1e12], ["GB", 1e9], ["MB", 1e6], ["KB", 1e3]] as const) {
    if (bytes >= factor) return `${(bytes / factor).toFixed(2)} ${unit}`;
  }
  return `${bytes} B`;
}

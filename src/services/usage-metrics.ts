/**
 * Clients of the services' usage-metric endpoints (spec/services.md, "Usage, for cost
 * reports"): storage used per organisation, keyed by SIRET.
 * - Messages: `GET <messages>/api/v1.0/metrics/mailbox_usage/`, `Authorization: Bearer <key>`;
 * - Fichiers (Drive): `GET <drive>/external_api/v1.0/metrics/usage/`, `Authorization: Api-Key <key>`
 *   (Drive serves it only with METRICS_ENABLED=True).
 * Both answer `{count, next, previous, results: [{account: {type}, siret, metrics: {storage_used}}]}`.
 * ASSUMPTION (not checked against a live deployment): asked with `account_type=organization`
 * and `account_id_key=siret` but no `account_id_value`, they list every organisation,
 * paginated like Drive's user listing. We read the whole listing because the ledger knows
 * SIRENs, not SIRETs.
 */
import { z } from "zod";
import type { ServiceName } from "./catalog.js";
import { apiUrl, checkNextUrl, excerpt, sendWithRetry, ServiceError, type RetryOptions } from "./http.js";

export interface MetricsEndpoint extends RetryOptions {
  service: ServiceName;
  /** "Messages" or "Fichiers", as errors name the service. */
  serviceLabel: string;
  /** The API root (ending in /), and the path under it. */
  baseUrl: string;
  path: readonly string[];
  /** The Authorization header value: "Bearer …" or "Api-Key …". */
  authorization: string;
  /** Where the key came from, for error messages; never the key. */
  credentialHint: string;
}

export const MESSAGES_METRICS_PATH = ["metrics", "mailbox_usage"] as const;
export const FICHIERS_METRICS_PATH = ["metrics", "usage"] as const;

const pageSchema = z.looseObject({
  next: z.string().nullable().optional(),
  results: z.array(
    z.looseObject({
      account: z.looseObject({ type: z.string() }),
      siret: z.string().nullable().optional(),
      metrics: z.looseObject({ storage_used: z.number().int().nonnegative() }),
    }),
  ),
});

export interface OrganizationUsage {
  siret: string;
  storageUsed: number;
}

export interface UsageListing {
  /** Where the figures came from (the first page's URL). */
  url: string;
  organizations: OrganizationUsage[];
  /** Entries that are not organisations (users, mailboxes): they would count twice, so they are left out, and counted here. */
  otherAccounts: number;
  /** Organisation entries whose siret is missing or not 14 digits, as the service gave it. */
  badSirets: string[];
}

export async function listOrganizationUsage(ep: MetricsEndpoint): Promise<UsageListing> {
  const root = ep.baseUrl.endsWith("/") ? ep.baseUrl : `${ep.baseUrl}/`;
  const operation = "read the storage used per organisation";
  const first = apiUrl(root, ep.path, { account_type: "organization", account_id_key: "siret" });
  const out: UsageListing = { url: first, organizations: [], otherAccounts: 0, badSirets: [] };
  let url: string | null = first;
  for (let page = 0; url !== null; page++) {
    if (page >= 10_000) throw new ServiceError(ep.serviceLabel, operation, null, "the listing did not end after 10000 pages.");
    const response = await sendWithRetry(ep.serviceLabel, { operation, method: "GET", url, headers: { authorization: ep.authorization } }, ep);
    if (response.status === 401 || response.status === 403) {
      throw new ServiceError(ep.serviceLabel, operation, response.status, `HTTP ${response.status}: the metrics key was refused; check ${ep.credentialHint}.`);
    }
    if (response.status === 404 && page === 0) {
      throw new ServiceError(ep.serviceLabel, operation, 404, `HTTP 404: no usage-metric endpoint at ${url}; check the configured URL${ep.service === "fichiers" ? " and that Drive runs with METRICS_ENABLED=True" : ""}.`);
    }
    if (response.status !== 200) throw new ServiceError(ep.serviceLabel, operation, response.status, `HTTP ${response.status}: ${excerpt(response.text) || "(empty body)"}`);
    const parsed = pageSchema.safeParse(response.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ServiceError(ep.serviceLabel, operation, 200, `the body is not the documented shape (${issue.path.join(".") || "(body)"}: ${issue.message}): ${excerpt(response.text, 160)}`);
    }
    for (const r of parsed.data.results) {
      if (r.account.type !== "organization") {
        out.otherAccounts++;
        continue;
      }
      const siret = r.siret ?? "";
      if (!/^\d{14}$/.test(siret)) {
        out.badSirets.push(siret === "" ? "(none)" : excerpt(siret, 40));
        continue;
      }
      out.organizations.push({ siret, storageUsed: r.metrics.storage_used });
    }
    url = parsed.data.next ? checkNextUrl(ep.serviceLabel, operation, root, parsed.data.next) : null;
  }
  return out;
}

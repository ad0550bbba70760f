/**
 * Reading an operator's whole perimeter from the Espace Opérateur in one paginated
 * listing: `GET operators/{op}/organizations/` returns each organisation with its
 * `service_subscriptions` (this operator's only; DeployCenter's OrganizationSerializer at
 * 60b646b0), so reconciliation needs no call per commune. Beside the per-commune client
 * (espace-operateur.ts), built on the same HTTP helpers.
 */
import { createRequire } from "node:module";
import type { EspaceOperateurOptions } from "./espace-operateur.js";
import { EO_SERVICE } from "./espace-operateur.js";
import { apiUrl, checkNextUrl, excerpt, sendWithRetry, ServiceError } from "./http.js";

const zod = createRequire(import.meta.url)("zod") as typeof import("zod");

export interface ListedSubscription {
  serviceId: number;
  isActive: boolean;
  domains: string[];
  updatedAt: string | null;
}

export interface ListedOrganization {
  id: string;
  name: string;
  /** The SIREN, or the first 9 digits of the SIRET when only that is set. */
  siren: string | null;
  subscriptions: ListedSubscription[];
}

function pageSchema() {
  const { z } = zod;
  const id = z.union([z.string().min(1), z.number().int()]).transform(String);
  const serviceId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
  return z.looseObject({
    next: z.string().nullable().optional(),
    results: z.array(
      z.looseObject({
        id,
        name: z.string().default(""),
        siren: z.string().nullable().optional(),
        siret: z.string().nullable().optional(),
        service_subscriptions: z
          .array(
            z.looseObject({
              is_active: z.boolean(),
              updated_at: z.string().nullable().optional(),
              metadata: z.looseObject({ domains: z.array(z.string()).optional() }).nullable().optional(),
              service: z.looseObject({ id: serviceId }),
            }),
          )
          .default([]),
      }),
    ),
  });
}

/** Every organisation of the operator with its subscriptions (pages followed under the same API root only). */
export async function listOperatorOrganizations(options: EspaceOperateurOptions, pageSize = 100): Promise<ListedOrganization[]> {
  const root = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  const operation = `list the organisations and subscriptions of operator ${options.operatorId}`;
  let url: string | null = apiUrl(root, ["operators", options.operatorId, "organizations"], { page_size: pageSize });
  const out: ListedOrganization[] = [];
  const schema = pageSchema();
  for (let page = 0; url !== null; page++) {
    if (page >= 5000) throw new ServiceError(EO_SERVICE, operation, null, "the listing did not end after 5000 pages.");
    const response = await sendWithRetry(EO_SERVICE, { operation, method: "GET", url, headers: { authorization: `Bearer ${options.token}` } }, options);
    if (response.status === 401) throw new ServiceError(EO_SERVICE, operation, 401, `HTTP 401: the operator key was refused; check ${options.credentialHint}.`);
    if (response.status === 403) throw new ServiceError(EO_SERVICE, operation, 403, `HTTP 403: this key may not read operator ${options.operatorId}'s organisations.`);
    if (response.status !== 200) throw new ServiceError(EO_SERVICE, operation, response.status, `HTTP ${response.status}: ${excerpt(response.text, 200)}`);
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`).join("; ");
      throw new ServiceError(EO_SERVICE, operation, 200, `HTTP 200 but the body is not the documented shape (${issues}).`);
    }
    for (const o of parsed.data.results) {
      out.push({
        id: o.id,
        name: o.name,
        siren: o.siren ?? (o.siret ? o.siret.slice(0, 9) : null),
        subscriptions: o.service_subscriptions.map((s) => ({ serviceId: s.service.id, isActive: s.is_active, domains: s.metadata?.domains ?? [], updatedAt: s.updated_at ?? null })),
      });
    }
    url = parsed.data.next ? checkNextUrl(EO_SERVICE, operation, root, parsed.data.next) : null;
  }
  return out;
}

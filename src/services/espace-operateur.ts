/**
 * Client of the Espace Opérateur (DeployCenter) API for one operator: find a
 * commune's organisation by SIREN, and read, upsert (PATCH) or delete its
 * subscription to a service, with `metadata.domains` and storage entitlements.
 * Contract: docs/../spec services.md (DeployCenter at 60b646b0). Assumptions that
 * could not be checked against a live deployment are marked ASSUMPTION.
 */
import { createRequire } from "node:module";
import type { Entitlement } from "./quota-policy.js";
import { apiUrl, budgetOf, checkNextUrl, excerpt, hostOf, sendWithRetry, ServiceError, type CommandBudget, type HttpRequest, type HttpResponse, type RetryOptions, type ServiceErrorExtra } from "./http.js";

// zod is loaded through require, and used as `zod.z`, on purpose: this client runs inside
// the Pulumi dynamic provider, whose closure serializer turns a captured module object
// from node_modules into a plain `require("zod")` but cannot serialize an ESM namespace,
// a sub-module or built schemas. For the same reason the schemas are built in functions,
// not held in module variables.
const zod = createRequire(import.meta.url)("zod") as typeof import("zod");

export const EO_SERVICE = "Espace Opérateur";

export interface Organization {
  id: string;
  name: string;
  siren: string | null;
  siret: string | null;
}

export interface Subscription {
  isActive: boolean;
  domains: string[];
  /** As the service holds them, sorted by (type, account_type); max_storage 0 = unlimited. */
  entitlements: Entitlement[];
  createdAt: string | null;
  updatedAt: string | null;
}

export interface SubscriptionChange {
  isActive: boolean;
  domains: string[];
  entitlements: Entitlement[];
}

export interface EspaceOperateurOptions extends RetryOptions {
  /** API root, ending in /api/v1.0/. */
  baseUrl: string;
  operatorId: string;
  token: string;
  /** Where the token came from, for error messages ("DOMAINES_EO_TOKEN_CDG48"); never the token. */
  credentialHint: string;
}

function organizationsPageSchema() {
  const { z } = zod;
  const id = z.union([z.string().min(1), z.number().int()]).transform(String);
  return z.looseObject({
    next: z.string().nullable().optional(),
    results: z.array(
      z.looseObject({ id, name: z.string().default(""), siren: z.string().nullable().optional(), siret: z.string().nullable().optional() }),
    ),
  });
}

function subscriptionSchema() {
  const { z } = zod;
  return z.looseObject({
    is_active: z.boolean(),
    metadata: z.looseObject({ domains: z.array(z.string()).optional() }).nullable().optional(),
    created_at: z.string().nullable().optional(),
    updated_at: z.string().nullable().optional(),
    entitlements: z.array(
      z.looseObject({
        type: z.string(),
        account_type: z.string(),
        // ASSUMPTION (from the spec): absent or null max_storage means unlimited, like 0.
        config: z.looseObject({ max_storage: z.number().int().nonnegative().nullable().optional() }).nullable().optional(),
      }),
    ),
  });
}

/** The service's 400 body ({"entitlements": "..."} or {"__all__": [...]}) as one readable line, without the request's credentials. */
export function describeBadRequest(response: Pick<HttpResponse, "json" | "text" | "redact">): string {
  const { json, text, redact } = response;
  if (json && typeof json === "object" && !Array.isArray(json)) {
    const parts = Object.entries(json as Record<string, unknown>).map(([field, msg]) => {
      const m = Array.isArray(msg) ? msg.map(String).join("; ") : typeof msg === "string" ? msg : JSON.stringify(msg);
      return field === "__all__" || field === "non_field_errors" || field === "detail" ? m : `${field}: ${m}`;
    });
    if (parts.length > 0) return excerpt(parts.join(" | "), 300, redact);
  }
  return excerpt(text, 300, redact) || "(empty body)";
}

export function sortEntitlements(list: readonly Entitlement[]): Entitlement[] {
  return [...list].sort((a, b) => a.type.localeCompare(b.type) || a.account_type.localeCompare(b.account_type));
}

/**
 * One client per command (or per Pulumi resource operation): its calls share one budget
 * of time and bytes, from its construction (options.budget, or budgetMs / maxTotalBytes).
 */
export class EspaceOperateurClient {
  private readonly budget: CommandBudget;

  constructor(private readonly options: EspaceOperateurOptions) {
    this.budget = budgetOf(options);
  }

  private root(): string {
    return this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`;
  }

  private async call(operation: string, method: HttpRequest["method"], url: string, body?: unknown): Promise<HttpResponse> {
    const request: HttpRequest = { operation, method, url, headers: { authorization: `Bearer ${this.options.token}` }, body };
    return sendWithRetry(EO_SERVICE, request, { ...this.options, budget: this.budget });
  }

  /** Turns an answer other than the expected ones into an error that says what failed. */
  private fail(operation: string, response: HttpResponse, notFound: string): never {
    const { status } = response;
    const op = this.options.operatorId;
    const from = `HTTP ${status}`;
    let detail: string;
    if (status === 401) detail = `${from}: the operator key was refused; check ${this.options.credentialHint} (it must be the key of operator ${op}).`;
    else if (status === 403) detail = `${from}: operator ${op}'s key may not act here (the organisation belongs to another operator, or the key is another operator's).`;
    else if (status === 404) detail = `${from}: ${notFound}`;
    else if (status === 400) detail = `${from}: the service refused the request: ${describeBadRequest(response)}`;
    else detail = `${from}: ${describeBadRequest(response)}`;
    throw this.error(operation, status, detail);
  }

  /** An error naming the service's host (which deployment failed). */
  private error(operation: string, status: number | null, detail: string, extra: ServiceErrorExtra = {}): ServiceError {
    return new ServiceError(EO_SERVICE, operation, status, detail, { host: hostOf(this.root()), ...extra });
  }

  private parse<T>(operation: string, schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, response: HttpResponse): T {
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`).join("; ");
      throw this.error(operation, response.status, `HTTP ${response.status} but the body is not the documented shape (${issues}): ${excerpt(response.text, 160, response.redact)}`);
    }
    return parsed.data;
  }

  /** The commune's organisation in this operator's perimeter; an unknown SIREN is an error (there is no API to create one). */
  async findOrganization(siren: string): Promise<Organization> {
    const operation = `find the organisation of SIREN ${siren} (operator ${this.options.operatorId})`;
    let url: string | null = apiUrl(this.root(), ["operators", this.options.operatorId, "organizations"], { search: siren });
    const matches: Organization[] = [];
    const schema = organizationsPageSchema();
    for (let page = 0; url !== null; page++) {
      if (page >= 1000) throw this.error(operation, null, "the listing did not end after 1000 pages (the limit on pages).", { code: "limit", details: { limit: "pages", value: 1000 } });
      const response = await this.call(operation, "GET", url);
      if (response.status !== 200) this.fail(operation, response, `operator ${this.options.operatorId} is unknown to the Espace Opérateur; check espaceOperateurId in data/operators.json.`);
      const body = this.parse(operation, schema, response);
      // search also matches SIRETs; keep the exact SIREN (or a SIRET starting with it).
      for (const o of body.results) {
        const orgSiren = o.siren ?? (o.siret ? o.siret.slice(0, 9) : null);
        if (orgSiren === siren) matches.push({ id: o.id, name: o.name, siren: o.siren ?? null, siret: o.siret ?? null });
      }
      url = body.next ? checkNextUrl(EO_SERVICE, operation, this.root(), body.next, response.redact) : null;
    }
    if (matches.length === 0) {
      throw this.error(operation, 404, `no organisation with SIREN ${siren} in operator ${this.options.operatorId}'s perimeter. The Espace Opérateur has no API to create one: ask its administrators to add the commune to the operator.`);
    }
    const ids = new Set(matches.map((m) => m.id));
    if (ids.size > 1) {
      throw this.error(operation, null, `several organisations have SIREN ${siren} (ids ${[...ids].join(", ")}); resolve the duplicate in the Espace Opérateur.`);
    }
    return matches[0]!;
  }

  private subscriptionUrl(organizationId: string, serviceId: number): string {
    return apiUrl(this.root(), ["operators", this.options.operatorId, "organizations", organizationId, "services", serviceId, "subscription"]);
  }

  private toSubscription(operation: string, response: HttpResponse): Subscription {
    const body = this.parse(operation, subscriptionSchema(), response);
    return {
      isActive: body.is_active,
      domains: body.metadata?.domains ?? [],
      entitlements: sortEntitlements(body.entitlements.map((e) => ({ type: e.type, account_type: e.account_type, config: { max_storage: e.config?.max_storage ?? 0 } }))),
      createdAt: body.created_at ?? null,
      updatedAt: body.updated_at ?? null,
    };
  }

  /** The subscription, or null when the organisation has none for this service. */
  async getSubscription(organizationId: string, serviceId: number): Promise<Subscription | null> {
    const operation = `read the subscription of organisation ${organizationId} to service ${serviceId}`;
    const response = await this.call(operation, "GET", this.subscriptionUrl(organizationId, serviceId));
    if (response.status === 404) return null;
    if (response.status !== 200) this.fail(operation, response, "");
    return this.toSubscription(operation, response);
  }

  /** Creates or updates the subscription in one call (metadata replaced whole, entitlements upserted). */
  async upsertSubscription(organizationId: string, serviceId: number, change: SubscriptionChange): Promise<{ created: boolean; subscription: Subscription }> {
    const operation = `write the subscription of organisation ${organizationId} to service ${serviceId}`;
    const body = { is_active: change.isActive, metadata: { domains: change.domains }, entitlements: change.entitlements };
    const response = await this.call(operation, "PATCH", this.subscriptionUrl(organizationId, serviceId), body);
    if (response.status !== 200 && response.status !== 201) {
      this.fail(operation, response, `organisation ${organizationId} or service ${serviceId} is unknown to the Espace Opérateur (check serviceIds in data/operators.json).`);
    }
    return { created: response.status === 201, subscription: this.toSubscription(operation, response) };
  }

  /** Removes the subscription; false when there was none (already removed). */
  async deleteSubscription(organizationId: string, serviceId: number): Promise<boolean> {
    const operation = `delete the subscription of organisation ${organizationId} to service ${serviceId}`;
    const response = await this.call(operation, "DELETE", this.subscriptionUrl(organizationId, serviceId));
    if (response.status === 204 || response.status === 200) return true;
    if (response.status === 404) return false;
    this.fail(operation, response, "");
  }
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { paginate, sendJson, TestHttpServer } from "./http-server.js";

/**
 * The Espace Opérateur (DeployCenter) contract of spec/services.md, in memory:
 * operator-scoped bearer keys (401 unknown key, 403 another operator's), organisation
 * search by exact SIREN/SIRET with pagination, and the subscription upsert
 * (201 created / 200 updated, entitlements upserted on (type, account_type),
 * metadata replaced whole), read (404 if none) and delete (204).
 */
export interface EoOrganization {
  id: string;
  name: string;
  siren: string;
  siret: string;
  code_insee: string;
  population: number;
  operator: string;
}

/** A webhook as DeployCenter configures it per service (core/webhooks.py WebhookConfig). */
export interface EoWebhook {
  url: string;
  method?: string;
  event_types?: string[];
  headers?: Record<string, unknown>;
  body?: unknown;
  timeout?: number;
}

export interface EoService {
  id: number;
  name?: string;
  /** Fired on subscription.created/updated/deleted, once, no retry (failures only logged). */
  webhooks?: EoWebhook[];
  /** Entitlement types and account types the service accepts. */
  entitlements: Record<string, string[]>;
  /** Organisations above this population are refused with a 400 __all__ error. */
  maxPopulation?: number;
}

interface StoredEntitlement {
  id: string;
  type: string;
  account_type: string;
  config: { max_storage: number };
  account: null;
}

interface StoredSubscription {
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  is_active: boolean;
  entitlements: StoredEntitlement[];
}

const DEFAULT_STORAGE: Record<string, number> = { mailbox: 5e9, user: 5e9, organization: 10e9 };

export class EspaceOperateurServer extends TestHttpServer {
  readonly tokens = new Map<string, string>(); // token → operator id
  readonly organizations: EoOrganization[] = [];
  readonly services = new Map<number, EoService>();
  readonly subscriptions = new Map<string, StoredSubscription>(); // `${orgId}/${serviceId}`
  /** Called when a PATCH sets metadata.domains (DeployCenter's webhook to the service). */
  onDomains: ((serviceId: number, domains: string[], org: EoOrganization) => void) | undefined;
  pageSize = 2;
  /** What each webhook call gave: DeployCenter only logs it. */
  readonly webhookLog: { event: string; url: string; status: number | null; error?: string }[] = [];
  private readonly subscriptionIds = new Map<string, string>();

  constructor() {
    super((req, url, body, res) => this.serve(req, url, body, res));
  }

  get apiRoot(): string {
    return `${this.baseUrl}/api/v1.0/`;
  }

  addOrganization(org: Omit<EoOrganization, "id" | "siret"> & { siret?: string }): EoOrganization {
    const full = { id: randomUUID(), siret: `${org.siren}00017`, ...org };
    this.organizations.push(full);
    return full;
  }

  subscription(orgId: string, serviceId: number): StoredSubscription | undefined {
    return this.subscriptions.get(`${orgId}/${serviceId}`);
  }

  private serve(req: IncomingMessage, url: URL, body: unknown, res: ServerResponse): void {
    const m = /^\/api\/v1\.0\/operators\/([^/]+)\/organizations\/(?:([^/]+)\/services\/(\d+)\/subscription\/)?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { detail: "Not found." });
    const [, operator, orgId, serviceId] = m as unknown as [string, string, string | undefined, string | undefined];
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    const tokenOperator = auth ? this.tokens.get(auth[1]!) : undefined;
    if (!tokenOperator) return sendJson(res, 401, { detail: "Invalid token." });
    if (tokenOperator !== decodeURIComponent(operator)) return sendJson(res, 403, { detail: "You do not have permission to perform this action." });
    if (orgId === undefined) {
      if (req.method !== "GET") return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
      const search = url.searchParams.get("search");
      const mine = this.organizations.filter((o) => o.operator === tokenOperator && (search === null || o.siren === search || o.siret === search));
      const subscriptionsOf = (o: EoOrganization): [number, StoredSubscription][] =>
        [...this.subscriptions].filter(([k]) => k.startsWith(`${o.id}/`)).map(([k, sub]) => [Number(k.split("/")[1]), sub]);
      return sendJson(res, 200, paginate(mine.map((o) => publicOrganization(o, subscriptionsOf(o))), url, this.pageSize, 100));
    }
    const org = this.organizations.find((o) => o.id === decodeURIComponent(orgId));
    if (!org) return sendJson(res, 404, { detail: "No Organization matches the given query." });
    if (org.operator !== tokenOperator) return sendJson(res, 403, { detail: "You do not have permission to perform this action." });
    const service = this.services.get(Number(serviceId));
    if (!service) return sendJson(res, 404, { detail: "No Service matches the given query." });
    const key = `${org.id}/${service.id}`;
    const existing = this.subscriptions.get(key);
    if (req.method === "GET") return existing ? sendJson(res, 200, existing) : sendJson(res, 404, { detail: "No ServiceSubscription matches the given query." });
    if (req.method === "DELETE") {
      if (!existing) return sendJson(res, 404, { detail: "No ServiceSubscription matches the given query." });
      this.subscriptions.delete(key);
      void this.fireWebhooks("subscription.deleted", org, service, key, existing, tokenOperator).then(() => sendJson(res, 204));
      return;
    }
    if (req.method !== "PATCH") return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
    return this.patch(org, service, key, existing, body, res);
  }

  private patch(org: EoOrganization, service: EoService, key: string, existing: StoredSubscription | undefined, body: unknown, res: ServerResponse): void {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return sendJson(res, 400, { non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
    const b = body as { is_active?: unknown; metadata?: unknown; entitlements?: unknown };
    if (b.is_active !== undefined && typeof b.is_active !== "boolean") return sendJson(res, 400, { is_active: ["Must be a valid boolean."] });
    if (b.metadata !== undefined && (typeof b.metadata !== "object" || b.metadata === null || Array.isArray(b.metadata))) return sendJson(res, 400, { metadata: ["Value must be valid JSON."] });
    const wanted = b.entitlements ?? [];
    if (!Array.isArray(wanted)) return sendJson(res, 400, { entitlements: "Entitlements must be a list." });
    for (const e of wanted as { type?: unknown; account_type?: unknown; config?: { max_storage?: unknown } }[]) {
      const accountTypes = typeof e.type === "string" ? service.entitlements[e.type] : undefined;
      if (!accountTypes) return sendJson(res, 400, { entitlements: `Entitlement type ${JSON.stringify(e.type)} is not available for this service.` });
      if (typeof e.account_type !== "string" || !accountTypes.includes(e.account_type)) return sendJson(res, 400, { entitlements: `Invalid account_type ${JSON.stringify(e.account_type)} for ${e.type}.` });
      const max = e.config?.max_storage;
      if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 0)) return sendJson(res, 400, { entitlements: "max_storage must be a non-negative integer." });
    }
    if (service.maxPopulation !== undefined && org.population > service.maxPopulation) {
      return sendJson(res, 400, { __all__: [`Population limit exceeded: ${org.population} > ${service.maxPopulation} for this service.`] });
    }
    const now = new Date().toISOString();
    const sub: StoredSubscription = existing ?? {
      metadata: {},
      created_at: now,
      updated_at: now,
      is_active: true,
      entitlements: Object.entries(service.entitlements).flatMap(([type, accounts]) =>
        accounts.map((account_type) => ({ id: randomUUID(), type, account_type, config: { max_storage: DEFAULT_STORAGE[account_type] ?? 0 }, account: null })),
      ),
    };
    if (b.is_active !== undefined) sub.is_active = b.is_active as boolean;
    if (b.metadata !== undefined) sub.metadata = b.metadata as Record<string, unknown>;
    for (const e of wanted as { type: string; account_type: string; config?: { max_storage?: number } }[]) {
      const found = sub.entitlements.find((x) => x.type === e.type && x.account_type === e.account_type);
      const config = { max_storage: e.config?.max_storage ?? 0 };
      if (found) found.config = config;
      else sub.entitlements.push({ id: randomUUID(), type: e.type, account_type: e.account_type, config, account: null });
    }
    sub.updated_at = now;
    this.subscriptions.set(key, sub);
    const domains = (sub.metadata as { domains?: unknown }).domains;
    if (Array.isArray(domains) && this.onDomains) this.onDomains(service.id, domains.map(String), org);
    // DeployCenter fires its webhooks in the post_save signal, before the PATCH answers.
    void this.fireWebhooks(existing ? "subscription.updated" : "subscription.created", org, service, key, sub, org.operator).then(() => sendJson(res, existing ? 200 : 201, sub));
  }

  /** DeployCenter's WebhookClient: context of the subscription, `$val`/`$tpl` templates, each webhook once. */
  private async fireWebhooks(event: string, org: EoOrganization, service: EoService, key: string, sub: StoredSubscription, operator: string): Promise<void> {
    if (!this.subscriptionIds.has(key)) this.subscriptionIds.set(key, randomUUID());
    const context: Record<string, unknown> = {
      event_type: event,
      timestamp: new Date().toISOString(),
      subscription_id: this.subscriptionIds.get(key),
      subscription_created_at: sub.created_at,
      subscription_updated_at: sub.updated_at,
      subscription_metadata: sub.metadata,
      subscription_is_active: sub.is_active,
      subscription_domains: ((sub.metadata as { domains?: string[] }).domains ?? []).join(","),
      organization_id: org.id,
      organization_name: org.name,
      organization_code_insee: org.code_insee,
      organization_population: org.population,
      organization_siret: org.siret,
      organization_siren: org.siren,
      service_id: service.id,
      service_name: service.name ?? `service ${service.id}`,
      operator_id: operator,
    };
    if (event === "subscription.deleted") this.subscriptionIds.delete(key);
    for (const hook of service.webhooks ?? []) {
      if (hook.event_types && hook.event_types.length > 0 && !hook.event_types.includes(event)) continue;
      const headers = Object.fromEntries(Object.entries(renderTemplate(hook.headers ?? {}, context) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      const rendered = renderTemplate(hook.body ?? {}, context);
      const body = JSON.stringify(rendered && Object.keys(rendered as object).length > 0 ? rendered : { event_type: event, timestamp: context.timestamp });
      try {
        const r = await fetch(hook.url, { method: hook.method ?? "POST", headers: { "content-type": "application/json", "user-agent": "DeployCenter-Webhook/1.0", ...headers }, body, signal: AbortSignal.timeout((hook.timeout ?? 10) * 1000) });
        await r.text();
        this.webhookLog.push({ event, url: hook.url, status: r.status });
      } catch (err) {
        this.webhookLog.push({ event, url: hook.url, status: null, error: (err as Error).message });
      }
    }
  }
}

function publicOrganization(o: EoOrganization, subscriptions: [number, StoredSubscription][] = []) {
  // service_subscriptions: this operator's subscriptions, each with its service and operator (OrganizationSerializer).
  const service_subscriptions = subscriptions.map(([serviceId, s]) => ({ ...s, service: { id: serviceId }, operator: { id: o.operator } }));
  return { id: o.id, name: o.name, type: "commune", siret: o.siret, siren: o.siren, code_insee: o.code_insee, population: o.population, service_subscriptions, mail_domain: null, mail_domain_status: null };
}

/** DeployCenter's template rendering: {"$val": key} takes a context value, {"$tpl": "…{{key}}…"} a string; the rest is kept. */
export function renderTemplate(template: unknown, context: Record<string, unknown>): unknown {
  if (Array.isArray(template)) return template.map((t) => renderTemplate(t, context));
  if (template && typeof template === "object") {
    const entries = Object.entries(template as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === "$val") return context[String(entries[0]![1])] ?? null;
    if (entries.length === 1 && entries[0]![0] === "$tpl") return String(entries[0]![1]).replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(context[k] ?? ""));
    return Object.fromEntries(entries.map(([k, v]) => [k, renderTemplate(v, context)]));
  }
  return template;
}

/** A server with the two services of the spec (Messages 2, Fichiers 12) and one operator. */
export async function startEspaceOperateur(operator = "op-test", token = "eo-secret-token"): Promise<EspaceOperateurServer> {
  const server = new EspaceOperateurServer();
  server.tokens.set(token, operator);
  server.services.set(2, { id: 2, entitlements: { messages_storage: ["mailbox", "organization"] } });
  server.services.set(12, { id: 12, entitlements: { drive_storage: ["user", "organization"] } });
  return server.start();
}

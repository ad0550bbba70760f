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

export interface EoService {
  id: number;
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
      return sendJson(res, 200, paginate(mine.map(publicOrganization), url, this.pageSize, 100));
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
      return sendJson(res, 204);
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
    sendJson(res, existing ? 200 : 201, sub);
  }
}

function publicOrganization(o: EoOrganization) {
  return { id: o.id, name: o.name, type: "commune", siret: o.siret, siren: o.siren, code_insee: o.code_insee, population: o.population, service_subscriptions: [], mail_domain: null, mail_domain_status: null };
}

/** A server with the two services of the spec (Messages 2, Fichiers 12) and one operator. */
export async function startEspaceOperateur(operator = "op-test", token = "eo-secret-token"): Promise<EspaceOperateurServer> {
  const server = new EspaceOperateurServer();
  server.tokens.set(token, operator);
  server.services.set(2, { id: 2, entitlements: { messages_storage: ["mailbox", "organization"] } });
  server.services.set(12, { id: 12, entitlements: { drive_storage: ["user", "organization"] } });
  return server.start();
}

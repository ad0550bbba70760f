import type { IncomingMessage, ServerResponse } from "node:http";
import { paginate, sendJson, TestHttpServer } from "./http-server.js";

/** One account the service measures: an organisation (keyed by SIRET) or a user / mailbox. */
export interface MeasuredAccount {
  type: "organization" | "user" | "mailbox";
  id: string;
  siret: string | null;
  storageUsed: number;
}

/**
 * The usage-metric contracts of spec/services.md, in memory:
 * - Messages: GET /api/v1.0/metrics/mailbox_usage/, `Authorization: Bearer <key>`;
 * - Fichiers (Drive): GET /external_api/v1.0/metrics/usage/, `Authorization: Api-Key <key>`.
 * DRF page-number pagination (2 a page by default, to exercise `next`), filters
 * `account_type` and `account_id_key` / `account_id_value`, 401 on a wrong key.
 */
export class MetricsServer extends TestHttpServer {
  readonly accounts: MeasuredAccount[] = [];

  constructor(
    readonly kind: "messages" | "fichiers",
    readonly key: string,
    readonly pageSize = 2,
  ) {
    super((req, url, _body, res) => this.serve(req, url, res));
  }

  get apiRoot(): string {
    return this.kind === "messages" ? `${this.baseUrl}/api/v1.0/` : `${this.baseUrl}/external_api/v1.0/`;
  }

  private get path(): string {
    return this.kind === "messages" ? "/api/v1.0/metrics/mailbox_usage/" : "/external_api/v1.0/metrics/usage/";
  }

  /** An organisation's figure (replacing an earlier one for the same SIRET). */
  setOrganization(siret: string, storageUsed: number): void {
    const known = this.accounts.find((a) => a.type === "organization" && a.siret === siret);
    if (known) known.storageUsed = storageUsed;
    else this.accounts.push({ type: "organization", id: `org-${siret}`, siret, storageUsed });
  }

  private serve(req: IncomingMessage, url: URL, res: ServerResponse): void {
    if (url.pathname !== this.path) return sendJson(res, 404, { detail: "Not found." });
    const expected = this.kind === "messages" ? `Bearer ${this.key}` : `Api-Key ${this.key}`;
    if (req.headers.authorization === undefined) return sendJson(res, 401, { detail: "Authentication credentials were not provided." });
    if (req.headers.authorization !== expected) return sendJson(res, 401, { detail: "Invalid API key." });
    if (req.method !== "GET") return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
    const type = url.searchParams.get("account_type");
    const idKey = url.searchParams.get("account_id_key");
    const idValue = url.searchParams.get("account_id_value");
    const items = this.accounts
      .filter((a) => type === null || a.type === type)
      .filter((a) => idKey === null || idValue === null || (idKey === "siret" ? a.siret === idValue : a.id === idValue))
      .map((a) => ({ account: { type: a.type, id: a.id }, siret: a.siret, metrics: { storage_used: a.storageUsed } }));
    sendJson(res, 200, paginate(items, url, this.pageSize, 100));
  }
}

export async function startMetrics(kind: "messages" | "fichiers", key: string): Promise<MetricsServer> {
  return new MetricsServer(kind, key).start();
}

/**
 * Client of Messages' provisioning API: the DNS records Messages expects for each of
 * its mail domains (where the DKIM public key comes from). Messages creates the mail
 * domain itself when the Espace Opérateur subscription names it; this client only reads.
 */
import { z } from "zod";
import { apiUrl, budgetOf, checkNextUrl, excerpt, hostOf, sendWithRetry, ServiceError, type ServiceErrorExtra, type RetryOptions } from "./http.js";

export const MESSAGES_SERVICE = "Messages";

/** 35,000 communes at 1,000 a page need 35; a server whose listing never ends is cut here, or by the budget before. */
const MAX_PAGES = 10_000;

export interface MessagesOptions extends RetryOptions {
  /** API root, ending in /api/v1.0/. */
  baseUrl: string;
  channelId: string;
  apiKey: string;
  /** Where the key came from, for error messages; never the key. */
  credentialHint: string;
  pageSize?: number;
}

const expectedRecordSchema = z.looseObject({ target: z.string(), type: z.string(), value: z.string() });
const dnsPageSchema = z.looseObject({
  next: z.string().nullable().optional(),
  results: z.array(z.looseObject({ name: z.string().min(1), expected_dns_records: z.array(expectedRecordSchema).nullable().optional() })),
});

export interface ExpectedRecord {
  /** Relative to the mail domain: "" for the domain itself, "_dmarc", "stmessages._domainkey". */
  target: string;
  /** Lowercase as Messages lists it: mx, txt. */
  type: string;
  value: string;
}

export interface MailDomainDns {
  /** The mail domain, lowercase, no trailing dot. */
  domain: string;
  records: ExpectedRecord[];
}

/** The listing, or why it cannot be had yet: a deployment without the endpoint answers 404. */
export type DnsListing = { available: true; domains: MailDomainDns[] } | { available: false; reason: string };

export class MessagesClient {
  constructor(private readonly options: MessagesOptions) {}

  /** The whole listing, every page, within one budget of time and bytes (the options', or a new one per listing). */
  async listMailDomainDns(): Promise<DnsListing> {
    const root = this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const operation = "list the mail domains' expected DNS records";
    const options = { ...this.options, budget: budgetOf(this.options) };
    let url: string | null = apiUrl(root, ["provisioning", "maildomains", "dns"], { page: 1, page_size: this.options.pageSize ?? 1000 });
    const domains: MailDomainDns[] = [];
    const visited = new Set<string>();
    const fail = (status: number | null, detail: string, extra: ServiceErrorExtra = {}) => new ServiceError(MESSAGES_SERVICE, operation, status, detail, { host: hostOf(root), ...extra });
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_PAGES) throw fail(null, `the listing did not end after ${MAX_PAGES} pages (the limit on pages).`, { code: "limit", details: { limit: "pages", value: MAX_PAGES } });
      const headers = { "x-channel-id": this.options.channelId, "x-api-key": this.options.apiKey };
      const response = await sendWithRetry(MESSAGES_SERVICE, { operation, method: "GET", url, headers }, options);
      if (response.status === 404 && page === 0) {
        return { available: false, reason: `this Messages deployment has no provisioning DNS listing (HTTP 404 on ${url}); DKIM keys cannot be read yet` };
      }
      if (response.status === 401 || response.status === 403) {
        throw fail(response.status, `HTTP ${response.status}: the channel key was refused; check ${this.options.credentialHint} and that channel ${this.options.channelId} is global with scope maildomains:read.`);
      }
      if (response.status !== 200) throw fail(response.status, `HTTP ${response.status}: ${excerpt(response.text, 300, response.redact) || "(empty body)"}`);
      const parsed = dnsPageSchema.safeParse(response.json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw fail(200, `the body is not the documented shape (${issue.path.join(".") || "(body)"}: ${issue.message}): ${excerpt(response.text, 160, response.redact)}`);
      }
      for (const d of parsed.data.results) {
        domains.push({
          domain: d.name.toLowerCase().replace(/\.$/, ""),
          records: (d.expected_dns_records ?? []).map((r) => ({ target: r.target.toLowerCase().replace(/\.$/, ""), type: r.type.toLowerCase(), value: r.value })),
        });
      }
      visited.add(url);
      url = parsed.data.next ? checkNextUrl(MESSAGES_SERVICE, operation, root, parsed.data.next, response.redact) : null;
      if (url !== null && visited.has(url)) throw fail(200, `the listing's next page link leads back to a page already read (page ${page + 1} links to ${excerpt(url, 200, response.redact)}).`);
    }
    return { available: true, domains };
  }
}

export interface DkimKey {
  selector: string;
  /** The TXT value as Messages gives it: "v=DKIM1; k=rsa; p=…". */
  value: string;
}

/** A TXT value as the record model keeps it: zone-file character-strings ("…" "…"), as a long key may come, joined to the whole text. */
export function txtText(value: string): string {
  return (value.trim().startsWith('"') ? [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join("") : value).trim();
}

/**
 * The DKIM record among a mail domain's expected records: the configured selector's
 * `<selector>._domainkey` TXT, or else the only `*._domainkey` TXT there is.
 */
export function dkimOf(records: readonly ExpectedRecord[], selector: string): DkimKey | null {
  const txt = records.filter((r) => r.type === "txt" && /^[a-z0-9_-]+\._domainkey$/.test(r.target));
  const chosen = txt.find((r) => r.target === `${selector}._domainkey`) ?? (txt.length === 1 ? txt[0] : undefined);
  if (!chosen) return null;
  const value = txtText(chosen.value);
  if (!/^v=DKIM1\b/i.test(value) || !/\bp=[A-Za-z0-9+/=]+/.test(value)) return null;
  return { selector: chosen.target.slice(0, -"._domainkey".length), value };
}

import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { paginate, sendJson, TestHttpServer } from "./http-server.js";

interface ExpectedDnsRecord {
  target: string;
  type: string;
  value: string;
}

interface MailDomain {
  id: string;
  name: string;
  expected_dns_records: ExpectedDnsRecord[];
}

/**
 * The deployment's MESSAGES_DNS_RECORDS without the DKIM record (which Messages adds per
 * domain): what data/config.json's record sets publish, as an operator who configured both
 * sides alike would have it. Tests of drift change it.
 */
export const DEPLOYMENT_TEMPLATE: readonly ExpectedDnsRecord[] = [
  { target: "", type: "mx", value: "10 mx1.mail.suite-territoriale.anct.gouv.fr." },
  { target: "", type: "mx", value: "20 mx2.mail.suite-territoriale.anct.gouv.fr." },
  { target: "", type: "txt", value: "v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all" },
  { target: "_dmarc", type: "txt", value: "v=DMARC1; p=reject; adkim=s; aspf=s" },
];

/**
 * Messages' provisioning contract of spec/services.md, in memory: the DNS listing
 * (X-Channel-Id + X-API-Key of a global channel, paginated, ≤ 1000 a page), or a
 * deployment without that endpoint (404). Mail domains get a real RSA-2048 DKIM key.
 */
export class MessagesServer extends TestHttpServer {
  readonly domains: MailDomain[] = [];
  dnsEndpoint = true;
  /** The expected records of every mail domain but its DKIM one (Messages' MESSAGES_DNS_RECORDS); applies to domains created after. */
  template: ExpectedDnsRecord[] = [...DEPLOYMENT_TEMPLATE];

  constructor(
    readonly channelId: string,
    readonly apiKey: string,
  ) {
    super((req, url, body, res) => this.serve(req, url, res));
  }

  get apiRoot(): string {
    return `${this.baseUrl}/api/v1.0/`;
  }

  /** What DeployCenter's webhook leads to: the mail domain, with its key and expected records. */
  createMailDomain(name: string, selector = "stmessages"): MailDomain {
    const existing = this.domains.find((d) => d.name === name);
    if (existing) return existing;
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const p = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const domain: MailDomain = {
      id: String(this.domains.length + 1),
      name,
      expected_dns_records: [...this.template.map((r) => ({ ...r })), { target: `${selector}._domainkey`, type: "txt", value: `v=DKIM1; k=rsa; p=${p}` }],
    };
    this.domains.push(domain);
    return domain;
  }

  /** A mail domain's DKIM record (the last of its expected records). */
  dkimRecord(name: string): ExpectedDnsRecord {
    const d = this.domains.find((x) => x.name === name);
    const r = d?.expected_dns_records.find((x) => x.target.endsWith("._domainkey"));
    if (!r) throw new Error(`no DKIM record for ${name} on the test Messages`);
    return r;
  }

  private serve(req: IncomingMessage, url: URL, res: ServerResponse): void {
    if (url.pathname !== "/api/v1.0/provisioning/maildomains/dns/" || !this.dnsEndpoint) return sendJson(res, 404, { detail: "Not found." });
    if (req.headers["x-channel-id"] !== this.channelId || req.headers["x-api-key"] !== this.apiKey) {
      return sendJson(res, 401, { detail: "Invalid channel credentials." });
    }
    if (req.method !== "GET") return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
    sendJson(res, 200, paginate(this.domains, url, 2, 1000));
  }
}

export async function startMessages(channelId = "6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b", apiKey = "messages-secret-key"): Promise<MessagesServer> {
  return new MessagesServer(channelId, apiKey).start();
}

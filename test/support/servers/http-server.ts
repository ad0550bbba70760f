import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A fault the next matching request meets: an HTTP status, or no answer at all. */
export type Fault = { kind: "status"; status: number; body?: unknown } | { kind: "stall" };

export interface Route {
  (req: IncomingMessage, url: URL, body: unknown, res: ServerResponse): void;
}

export interface RequestLog {
  method: string;
  path: string;
  search: string;
}

/**
 * A real HTTP server on 127.0.0.1 and a free port, with injectable faults
 * (5xx, stalls) consumed one per request, and a log of the requests it got.
 */
export class TestHttpServer {
  private server: Server | undefined;
  private faults: Fault[] = [];
  readonly log: RequestLog[] = [];
  baseUrl = "";

  constructor(private readonly route: Route) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** The next `count` requests get `fault` instead of a real answer. */
  inject(fault: Fault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", this.baseUrl);
    this.log.push({ method: req.method ?? "", path: url.pathname, search: url.search });
    const fault = this.faults.shift();
    if (fault?.kind === "stall") return; // hold the connection open; stop() destroys it
    if (fault?.kind === "status") return sendJson(res, fault.status, fault.body ?? { detail: "Injected failure." });
    let body: unknown;
    const text = Buffer.concat(chunks).toString("utf8");
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)" });
      }
    }
    try {
      this.route(req, url, body, res);
    } catch (err) {
      sendJson(res, 500, { detail: `test server bug: ${(err as Error).message}` });
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

/** DRF-style page-number pagination: `{count, next, previous, results}` with absolute links. */
export function paginate<T>(items: readonly T[], url: URL, defaultPageSize: number, maxPageSize: number): { count: number; next: string | null; previous: string | null; results: T[] } {
  const page = Math.max(1, Number(url.searchParams.get("page") ?? "1") || 1);
  const size = Math.min(maxPageSize, Math.max(1, Number(url.searchParams.get("page_size") ?? defaultPageSize) || defaultPageSize));
  const link = (p: number): string => {
    const u = new URL(url);
    u.searchParams.set("page", String(p));
    return u.toString();
  };
  const start = (page - 1) * size;
  return {
    count: items.length,
    next: start + size < items.length ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results: items.slice(start, start + size),
  };
}

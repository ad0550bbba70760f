import { createSocket } from "node:dgram";
import { randomInt } from "node:crypto";
import { FailureError } from "../errors.js";

/**
 * One DNS question on the wire (UDP, recursion not desired), for what node's resolver
 * (c-ares) cannot tell: whether an answer is authoritative and what the authority section
 * holds — a referral at a zone cut — and DS records. Only NS and DS data are decoded.
 */

export interface WireRecord {
  /** Owner name, lowercase, with the final dot. */
  name: string;
  type: "NS" | "DS" | "SOA" | "other";
  ttl: number;
  /** NS: the host with its final dot; DS: "<tag> <algorithm> <digest type> <HEX>"; otherwise "". */
  data: string;
}

export interface WireAnswer {
  rcode: "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "REFUSED" | string;
  authoritative: boolean;
  answer: WireRecord[];
  authority: WireRecord[];
}

const TYPES = { NS: 2, SOA: 6, DS: 43 } as const;
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** `server` as parseResolverOption gives it: "1.2.3.4:53" or "[::1]:53". */
export async function askWire(server: string, name: string, type: "NS" | "DS", options: { timeoutMs?: number; tries?: number } = {}): Promise<WireAnswer> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(server);
  if (!m) throw new FailureError(`not a DNS server address: ${server}`);
  const [host, port] = [m[1]!, Number(m[2])];
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, TYPES[type]);
  let lastError = "";
  for (let attempt = 0; attempt < (options.tries ?? 2); attempt++) {
    try {
      const reply = await exchange(host, port, query, options.timeoutMs ?? 2000);
      if (reply.readUInt16BE(0) !== id) throw new Error("a reply with another id");
      return decode(reply);
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  throw new FailureError(`the DNS server ${server} did not answer for ${name} ${type} (${lastError}); check that it runs and the address.`);
}

function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, "").split(".").filter(Boolean);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "ascii")])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // a standard query, RD=0: the server's own data, no recursion
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, qname, tail]);
}

function exchange(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    const timer = setTimeout(() => done(new Error("ETIMEOUT")), timeoutMs);
    const done = (err: Error | null, msg?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    socket.once("error", (e) => done(e));
    socket.once("message", (msg) => done(null, msg));
    socket.send(query, port, host);
  });
}

function decode(msg: Buffer): WireAnswer {
  const flags = msg.readUInt16BE(2);
  if (flags & 0x0200) throw new Error("a truncated reply (TC)");
  const counts = [4, 6, 8, 10].map((o) => msg.readUInt16BE(o)) as [number, number, number, number];
  let at = 12;
  for (let i = 0; i < counts[0]; i++) at = readName(msg, at).next + 4;
  const section = (n: number): WireRecord[] => {
    const out: WireRecord[] = [];
    for (let i = 0; i < n; i++) {
      const owner = readName(msg, at);
      const type = msg.readUInt16BE(owner.next);
      const ttl = msg.readUInt32BE(owner.next + 4);
      const len = msg.readUInt16BE(owner.next + 8);
      const rdata = owner.next + 10;
      at = rdata + len;
      if (type === TYPES.NS) out.push({ name: owner.name, type: "NS", ttl, data: readName(msg, rdata).name });
      else if (type === TYPES.DS) out.push({ name: owner.name, type: "DS", ttl, data: `${msg.readUInt16BE(rdata)} ${msg[rdata + 2]} ${msg[rdata + 3]} ${msg.subarray(rdata + 4, rdata + len).toString("hex").toUpperCase()}` });
      else out.push({ name: owner.name, type: type === TYPES.SOA ? "SOA" : "other", ttl, data: "" });
    }
    return out;
  };
  const answer = section(counts[1]);
  const authority = section(counts[2]);
  return { rcode: RCODES[flags & 0x000f] ?? `RCODE${flags & 0x000f}`, authoritative: (flags & 0x0400) !== 0, answer, authority };
}

/** A possibly compressed name (RFC 1035 §4.1.4), lowercase with its final dot; `next` is the offset after it where it starts. */
function readName(msg: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let at = start;
  let next = -1;
  for (let hops = 0; hops < 128; hops++) {
    const len = msg[at];
    if (len === undefined) throw new Error("a reply cut inside a name");
    if (len === 0) return { name: `${labels.join(".")}.`.toLowerCase(), next: next === -1 ? at + 1 : next };
    if ((len & 0xc0) === 0xc0) {
      if (next === -1) next = at + 2;
      at = ((len & 0x3f) << 8) | msg[at + 1]!;
      continue;
    }
    labels.push(msg.subarray(at + 1, at + 1 + len).toString("latin1"));
    at += 1 + len;
  }
  throw new Error("a name with a compression loop");
}

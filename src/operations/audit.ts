import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, quoteInput } from "../errors.js";
import { isoDateTimeSchema, type LedgerEntry } from "../ledger/schema.js";
import type { Workspace } from "../workspace.js";

/**
 * Who did what, when: the audit log read back, filtered. The LedgerStore interface has
 * no audit reader yet, so this reads the file store's audit.jsonl; a database store
 * will need a `readAudit(filter)` of its own (reported to the integrator).
 */
export interface AuditFilter {
  /** A commune key: lines about its labels (primary, aliases, reservations) and events naming it. */
  commune?: string;
  /** An actor, or an actor prefix: `operator:cdg48` matches `operator:cdg48/<token id>`. */
  actor?: string;
  /** ISO 8601 date or time: lines at or after it. */
  since?: string;
  limit?: number;
  /** Lines about these communes only (an operator's scope); undefined = every line. */
  communes?: ReadonlySet<string>;
}

export interface AuditRecord {
  tx: string;
  time: string;
  actor: string;
  command: string;
  /** change: a label changed; event: a traced action (token, webhook); aborted: a transaction that never landed. */
  kind: "change" | "event" | "aborted";
  label?: string;
  before?: LedgerEntry | null;
  after?: LedgerEntry | null;
  event?: Record<string, unknown>;
  reason?: string;
}

export interface AuditQueryResult {
  records: AuditRecord[];
  /** True when more lines matched than `limit`: ask again with `since` = the last time returned. */
  truncated: boolean;
}

export const AUDIT_MAX_LIMIT = 10_000;

function parseSince(raw: string): string {
  const text = raw.trim();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text;
  if (!isoDateTimeSchema.safeParse(day).success || Number.isNaN(Date.parse(day))) throw new InputError(`since ${quoteInput(raw)} is not a date or time; write 2026-03-01 or 2026-03-01T12:00:00Z.`);
  return new Date(day).toISOString();
}

function keysOf(r: AuditRecord): string[] {
  const keys: string[] = [];
  for (const e of [r.before, r.after]) {
    if (e?.key) keys.push(e.key);
    if (e?.aliasOf) keys.push(e.aliasOf);
  }
  const c = r.event?.commune;
  if (typeof c === "string") keys.push(c);
  return keys;
}

function toRecord(json: Record<string, unknown>): AuditRecord | null {
  const base = { tx: String(json.tx), time: String(json.time), actor: String(json.actor), command: String(json.command) };
  if (typeof json.tx !== "string" || typeof json.time !== "string") return null;
  if ("event" in json) return { ...base, kind: "event", event: json.event as Record<string, unknown> };
  if ("outcome" in json) return { ...base, kind: "aborted", reason: String(json.reason) };
  if ("label" in json) return { ...base, kind: "change", label: String(json.label), before: (json.before ?? null) as LedgerEntry | null, after: (json.after ?? null) as LedgerEntry | null };
  return null;
}

/** The audit log's records as plain objects, in order: the file's lines (a torn one passed over: validate reports it), or the database's rows. */
async function auditObjects(ws: Workspace): Promise<Iterable<Record<string, unknown>>> {
  const store = ws.store();
  if (store.auditRecords) return (await store.auditRecords()) as Record<string, unknown>[];
  const path = join(store.location, "audit.jsonl");
  if (!existsSync(path)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    try {
      const json: unknown = JSON.parse(line);
      if (typeof json === "object" && json !== null) out.push(json as Record<string, unknown>);
    } catch {
      // a torn line
    }
  }
  return out;
}

export async function queryAudit(ws: Workspace, filter: AuditFilter): Promise<AuditQueryResult> {
  const since = filter.since === undefined ? undefined : parseSince(filter.since);
  const limit = filter.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) throw new InputError(`limit ${quoteInput(String(filter.limit))} must be a whole number from 1 to ${AUDIT_MAX_LIMIT}.`);
  const records: AuditRecord[] = [];
  let truncated = false;
  for (const json of await auditObjects(ws)) {
    const r = toRecord(json);
    if (!r) continue;
    if (since !== undefined && Date.parse(r.time) < Date.parse(since)) continue;
    if (filter.actor !== undefined && r.actor !== filter.actor && !r.actor.startsWith(`${filter.actor}/`)) continue;
    if (filter.commune !== undefined && !keysOf(r).includes(filter.commune)) continue;
    if (filter.communes !== undefined && !keysOf(r).some((k) => filter.communes!.has(k))) continue;
    if (records.length === limit) {
      truncated = true;
      break;
    }
    records.push(r);
  }
  return { records, truncated };
}

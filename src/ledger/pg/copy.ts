import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { FailureError, InputError } from "../../errors.js";
import { auditChangeSchema, auditEventLine, auditEventSchema, auditLines, auditMarkerSchema, ledgerSha256, type AuditChange, type AuditMarker, type Change } from "../audit.js";
import { serializeLedger } from "../codec.js";
import { renderExport } from "../export.js";
import { replaceDurably } from "../fsync.js";
import type { LedgerStore, ValidationReport } from "../ledger-store.js";
import { acquireLock } from "../lock.js";
import { openLedgerStore } from "../open.js";
import type { LedgerEntry } from "../schema.js";
import { FileLedgerStore, ledgerPaths, readLedger, validateLedgerDir } from "../store.js";
import type { AuditRecord } from "./rows.js";
import { PostgresLedgerStore, type LedgerDump } from "./store.js";

/**
 * `domaines ledger copy --from <dir|url> --to <dir|url>`: the whole ledger and its audit
 * log from one store to another (file → PostgreSQL and back: reversibility, contract art. 6).
 * The source must validate; the target must be empty; the copy is then validated and its
 * `export --format json` compared byte for byte with the source's.
 */
export interface CopyReport {
  from: string;
  to: string;
  labels: number;
  audit: { records: number; transactions: number; changes: number };
  /** Unreadable lines of a file log, each excused by an aborted marker (a crash the store settled): not carried over. */
  skippedUnreadableLines: number;
  /** The export of both sides is the same bytes. */
  identicalExport: boolean;
  source: ValidationReport;
  target: ValidationReport;
}

function sourceRefused(report: ValidationReport): FailureError {
  const why = report.ok ? `it has a crash left-over the next write settles (${report.note})` : `it does not validate:\n  ${report.problems.slice(0, 20).join("\n  ")}`;
  return new FailureError(`refused, nothing copied: the source ledger ${report.ledger} must validate first; ${why}`, "refused");
}

export async function copyLedger(from: string, to: string, reserved: ReadonlySet<string>): Promise<CopyReport> {
  const source = openLedgerStore(from);
  const target = openLedgerStore(to);
  try {
    if (source.kind === target.kind && source.location === target.location) throw new InputError(`--from and --to name the same ledger (${source.location}); copy into another directory or database.`);
    const { dump, report, skipped } = await readDump(source, reserved);
    await writeDump(target, dump);
    const copied = await target.validate(reserved);
    if (!copied.ok) throw new FailureError(`internal: the copy in ${target.location} does not validate:\n  ${copied.problems.slice(0, 20).join("\n  ")}`, "internal");
    const identical = renderExport(await target.read(), "json") === renderExport(dump.entries, "json");
    if (!identical) throw new FailureError(`internal: the export of the copy in ${target.location} differs from the source's`, "internal");
    return {
      from: source.location,
      to: target.location,
      labels: dump.entries.length,
      audit: { records: dump.records.length, transactions: report.audit.transactions, changes: report.audit.changes },
      skippedUnreadableLines: skipped,
      identicalExport: identical,
      source: report,
      target: copied,
    };
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

async function readDump(store: LedgerStore, reserved: ReadonlySet<string>): Promise<{ dump: LedgerDump; report: ValidationReport; skipped: number }> {
  if (store instanceof PostgresLedgerStore) {
    const { dump, report } = await store.dump(reserved);
    if (!report.ok) throw sourceRefused(report);
    return { dump, report, skipped: 0 };
  }
  if (!(store instanceof FileLedgerStore)) throw new Error(`internal: no copy from a ${store.kind} store`);
  const dir = store.dir;
  if (!existsSync(dir)) throw new InputError(`--from ${dir}: no such ledger directory.`);
  // Under the file store's lock: the ledger and its log are read as one writer left them.
  const lock = await acquireLock(ledgerPaths(dir).lock, "domaines ledger copy (reading)");
  try {
    const report = validateLedgerDir(dir, reserved);
    if (!report.ok || report.note !== null) throw sourceRefused(report);
    const { records, skipped } = readAuditRecords(ledgerPaths(dir).audit);
    return { dump: { entries: readLedger(dir), records }, report, skipped };
  } finally {
    lock.release();
  }
}

/** Every readable record of a file audit log, in order; unreadable lines (torn by a crash, excused by a marker) are counted. */
function readAuditRecords(path: string): { records: AuditRecord[]; skipped: number } {
  if (!existsSync(path)) return { records: [], skipped: 0 };
  const records: AuditRecord[] = [];
  let skipped = 0;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const rec = auditChangeSchema.safeParse(value).data ?? auditMarkerSchema.safeParse(value).data ?? auditEventSchema.safeParse(value).data;
    if (rec) records.push(rec);
    else skipped++;
  }
  return { records, skipped };
}

async function writeDump(store: LedgerStore, dump: LedgerDump): Promise<void> {
  if (store instanceof PostgresLedgerStore) return store.load(dump);
  if (!(store instanceof FileLedgerStore)) throw new Error(`internal: no copy into a ${store.kind} store`);
  const dir = store.dir;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`--to ${dir} is not a directory.`);
  mkdirSync(dir, { recursive: true });
  const paths = ledgerPaths(dir);
  const lock = await acquireLock(paths.lock, "domaines ledger copy (writing)");
  try {
    for (const file of [paths.ledger, paths.audit]) {
      if (existsSync(file) && statSync(file).size > 0) throw new FailureError(`refused, nothing written: the target ledger directory ${dir} is not empty (${file}); copy into a new directory.`, "refused");
    }
    // The audit log first, then the ledger, like every transaction of the file store.
    replaceDurably(paths.audit, fileAuditLog(dump));
    replaceDurably(paths.ledger, serializeLedger(dump.entries));
  } finally {
    lock.release();
  }
}

/**
 * The audit log as the file store writes it, through its own writers (auditLines,
 * auditEventLine), with a digest chain that vouches for the ledger file written beside
 * it: the file store refuses any ledger whose SHA-256 the last transaction's digest does
 * not name. A log that came from files with its chain whole (every transaction from the
 * first digest on carries one, and the last one names this ledger) is written as it was,
 * byte for byte. Otherwise (transactions made in the database carry no digest), only the
 * last committed transaction gets one, computed here: earlier digests would vouch for
 * ledger files that no longer exist and break the chain's continuity.
 */
export function fileAuditLog(dump: LedgerDump): string {
  const ledgerSha = ledgerSha256(serializeLedger(dump.entries));
  const aborted = new Set(dump.records.filter((r): r is AuditMarker => "outcome" in r).map((r) => r.tx));
  const groups: { tx: string; changes: AuditChange[] }[] = [];
  for (const r of dump.records) {
    if (!("seq" in r)) continue;
    if (groups.at(-1)?.tx === r.tx) groups.at(-1)!.changes.push(r);
    else groups.push({ tx: r.tx, changes: [r] });
  }
  const committed = groups.filter((g) => !aborted.has(g.tx));
  const digestOf = (g: { changes: AuditChange[] }) => g.changes.at(-1)!.digest;
  const chainWhole = ((): boolean => {
    const first = committed.findIndex((g) => digestOf(g));
    if (first < 0) return false;
    let previous: string | null = null;
    for (const g of committed.slice(first)) {
      const d = digestOf(g);
      if (!d || (previous !== null && d.before !== previous)) return false;
      previous = d.after;
    }
    return previous === ledgerSha;
  })();
  const last = committed.at(-1);
  const lastDigest = last && !chainWhole ? { before: ledgerSha256(serializeLedger(stateBefore(dump.entries, last.changes))), after: ledgerSha } : null;
  const out: string[] = [];
  const done = new Set<(typeof groups)[number]>();
  const byFirst = new Map(groups.map((g) => [g.changes[0]!, g]));
  for (const r of dump.records) {
    if ("event" in r) out.push(auditEventLine(r.tx, r.time, r.actor, r.command, r.event));
    else if ("outcome" in r) out.push(`${JSON.stringify({ tx: r.tx, time: r.time, actor: r.actor, command: r.command, outcome: r.outcome, reason: r.reason, ...(r.torn ? { torn: r.torn } : {}) } satisfies AuditMarker)}\n`);
    else {
      const g = byFirst.get(r);
      if (!g || done.has(g)) continue;
      done.add(g);
      const head = g.changes[0]!;
      const changes: Change[] = g.changes.map((c) => ({ label: c.label, before: c.before, after: c.after }));
      const stored = digestOf(g);
      const digest = g === last && lastDigest ? lastDigest : chainWhole ? stored : undefined;
      out.push(digest ? auditLines(g.tx, head.time, head.actor, head.command, changes, digest).join("") : withoutDigest(auditLines(g.tx, head.time, head.actor, head.command, changes, { before: "0".repeat(64), after: "0".repeat(64) }).join("")));
    }
  }
  return out.join("");
}

/** auditLines always seals the transaction's last line with a digest: the line without it. */
function withoutDigest(lines: string): string {
  const all = lines.split("\n");
  const lastLine = all.length - 2; // the text ends with a newline
  const rec = JSON.parse(all[lastLine]!) as Record<string, unknown>;
  delete rec.digest;
  all[lastLine] = JSON.stringify(rec);
  return all.join("\n");
}

/** The ledger before a transaction's changes, from the one after it. */
function stateBefore(entries: readonly LedgerEntry[], changes: readonly AuditChange[]): LedgerEntry[] {
  const state = new Map(entries.map((e) => [e.label, e]));
  for (const c of [...changes].reverse()) {
    if (c.before) state.set(c.label, c.before);
    else state.delete(c.label);
  }
  return [...state.values()];
}

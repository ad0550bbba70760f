import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { FailureError, InputError } from "../errors.js";
import { replaceDurably } from "../ledger/fsync.js";
import { acquireLock, pidRunning } from "../ledger/lock.js";
import { communeKeySchema, isoDateTimeSchema } from "../ledger/schema.js";
import { isDay } from "./calendar.js";
import type { PgDatabase } from "../ledger/pg/database.js";
import { SERVICE_NAMES, type ServiceName } from "./catalog.js";
import { PostgresUsageHistory } from "./pg-usage-history.js";

/**
 * The measured usage history: one sample per commune, service and day, the only record
 * an invoice can rest on (the Espace Opérateur keeps only the latest value, the services
 * none). Append-only: a sample, once written, is never changed; a second sync the same
 * day keeps the first. Two stores behind this interface: files here, PostgreSQL in
 * ./pg-usage-history.ts when the ledger is a database.
 */
export const usageSampleSchema = z
  .strictObject({
    /** The day the sample stands for (Europe/Paris calendar day of takenAt). */
    day: z.string().refine(isDay, "a calendar day such as 2026-03-14"),
    service: z.enum(SERVICE_NAMES as [ServiceName, ...ServiceName[]]),
    /** The commune (SIREN, or insee:<code>). */
    commune: communeKeySchema,
    /** The operator holding the commune's subscription when the sample was taken (its structure, or ANCT's direct operator); null if none did. */
    operator: z.string().min(1).nullable(),
    /** Storage used by the commune's organisation, in decimal bytes (summed over its SIRETs). */
    bytes: z.number().int().nonnegative().refine(Number.isSafeInteger, "a whole number of bytes below 2^53"),
    /** The SIRETs the service reported for the commune. */
    sirets: z.array(z.string().regex(/^\d{14}$/, "a SIRET of 14 digits")).min(1),
    /** When the figures were read from the service. */
    takenAt: isoDateTimeSchema,
  })
  .superRefine((s, ctx) => {
    if (/^\d{9}$/.test(s.commune) && !s.sirets.every((t) => t.startsWith(s.commune))) {
      ctx.addIssue({ code: "custom", path: ["sirets"], message: `every SIRET of commune ${s.commune} starts with its SIREN` });
    }
  });
export type UsageSample = z.output<typeof usageSampleSchema>;

export function sampleKey(s: Pick<UsageSample, "day" | "service" | "commune">): string {
  return `${s.day}|${s.service}|${s.commune}`;
}

export interface AppendResult {
  added: number;
  /** Samples not written because one was already held for that commune, service and day (the first is kept). */
  kept: UsageSample[];
}

export interface UsageHistoryReport {
  location: string;
  days: number;
  samples: number;
  ok: boolean;
  problems: string[];
  note: string | null;
}

export interface UsageHistory {
  /** `file` (a directory beside the ledger), later `postgres`. */
  readonly kind: string;
  readonly location: string;
  /** The samples of the days from `from` to `to` (inclusive, YYYY-MM-DD), validated. */
  read(range: { from: string; to: string }): Promise<UsageSample[]>;
  /** Appends samples durably; a commune, service and day already held keeps its first sample. */
  append(samples: readonly UsageSample[]): Promise<AppendResult>;
  /** Every stored sample checked: shape, the day it is filed under, one sample per commune, service and day. */
  validate(): Promise<UsageHistoryReport>;
}

const DAY_FILE_RE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** Parses one day file; every problem names file:line. */
export function parseDayFile(text: string, file: string, day: string): { samples: UsageSample[]; problems: string[] } {
  const samples: UsageSample[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  if (text !== "" && !text.endsWith("\n")) problems.push(`${file}:${lines.length}: the last line is cut (no newline): the file was changed outside domaines`);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    const parsed = usageSampleSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(`${where}: ${parsed.error.issues.map((x) => `${x.path.join(".") || "line"}: ${x.message}`).join("; ")}`);
      return;
    }
    const s = parsed.data;
    if (s.day !== day) problems.push(`${where}: a sample of ${s.day} filed under ${day}`);
    const key = sampleKey(s);
    if (seen.has(key)) problems.push(`${where}: a second sample of ${s.commune} in ${s.service} for ${s.day} (one a day is kept)`);
    seen.add(key);
    samples.push(s);
  });
  return { samples, problems };
}

function serializeSample(s: UsageSample): string {
  const { day, service, commune, operator, bytes, sirets, takenAt } = s;
  return JSON.stringify({ day, service, commune, operator, bytes, sirets, takenAt });
}

/**
 * The file store: `<ledger>/usage/YYYY-MM-DD.jsonl`, one file a day. A sync rewrites its
 * day's file as the old text plus the new lines (temp file, fsync, rename, directory
 * fsync), under a lock of its own: a process killed at any instant leaves the old file or
 * the new one. A statement reads only the files of its period.
 */
export class FileUsageHistory implements UsageHistory {
  readonly kind = "file";
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  private dayFile(day: string): string {
    return join(this.dir, `${day}.jsonl`);
  }

  private days(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).flatMap((n) => {
      const m = DAY_FILE_RE.exec(n);
      return m ? [m[1]!] : [];
    }).sort();
  }

  private readDay(day: string): { text: string; samples: UsageSample[] } {
    const file = this.dayFile(day);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { text: "", samples: [] };
      throw new FailureError(`cannot read the usage history ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, "io");
    }
    const { samples, problems } = parseDayFile(text, file, day);
    if (problems.length > 0) {
      throw new FailureError(`the usage history was changed outside domaines or is damaged:\n  ${problems.slice(0, 10).join("\n  ")}`, "ledger-damaged");
    }
    return { text, samples };
  }

  async read(range: { from: string; to: string }): Promise<UsageSample[]> {
    return this.days().filter((d) => d >= range.from && d <= range.to).flatMap((d) => this.readDay(d).samples);
  }

  async append(samples: readonly UsageSample[]): Promise<AppendResult> {
    const checked = samples.map((s) => {
      const parsed = usageSampleSchema.safeParse(s);
      if (!parsed.success) throw new InputError(`usage sample ${sampleKey(s)} is invalid: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
      return parsed.data;
    });
    const byDay = new Map<string, UsageSample[]>();
    for (const s of checked) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s]);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new FailureError(`cannot create the usage history directory ${this.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, "io");
    }
    const release = await lockHistory(this.dir);
    try {
      // Temp files of writers killed before their rename: removed under the lock once their writer is gone.
      for (const n of readdirSync(this.dir)) {
        const pid = /\.jsonl\.tmp-(\d+)(-[0-9a-f]+)?$/.exec(n)?.[1];
        if (pid !== undefined && !pidRunning(Number(pid))) rmSync(join(this.dir, n), { force: true });
      }
      let added = 0;
      const kept: UsageSample[] = [];
      for (const [day, list] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
        const { text, samples: held } = this.readDay(day);
        const seen = new Set(held.map(sampleKey));
        const lines: string[] = [];
        for (const s of list) {
          if (seen.has(sampleKey(s))) {
            kept.push(s);
            continue;
          }
          seen.add(sampleKey(s));
          lines.push(serializeSample(s));
        }
        if (lines.length === 0) continue;
        try {
          replaceDurably(this.dayFile(day), `${text}${lines.join("\n")}\n`);
        } catch (err) {
          throw new FailureError(`cannot write the usage history ${this.dayFile(day)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, "io");
        }
        added += lines.length;
      }
      return { added, kept };
    } finally {
      await release();
    }
  }

  async validate(): Promise<UsageHistoryReport> {
    const problems: string[] = [];
    let samples = 0;
    const days = this.days();
    for (const day of days) {
      const file = this.dayFile(day);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        problems.push(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        continue;
      }
      const parsed = parseDayFile(text, file, day);
      samples += parsed.samples.length;
      problems.push(...parsed.problems);
    }
    const leftovers = existsSync(this.dir) ? readdirSync(this.dir).filter((n) => /\.jsonl\.tmp-\d+(-[0-9a-f]+)?$/.test(n)) : [];
    const note = leftovers.length > 0 ? `${leftovers.length} temporary file(s) of an interrupted sync (${leftovers.join(", ")}): never read, removed by the next sync` : null;
    return { location: this.dir, days: days.length, samples, ok: problems.length === 0, problems, note };
  }
}

/** The history's own lock (a sync must not hold up allocations), of the same kind as the ledger's (never taken from a live holder; src/ledger/lock.ts). */
async function lockHistory(dir: string): Promise<() => Promise<void>> {
  const lock = await acquireLock(join(dir, "usage.lock"), "usage-sync", `the usage history ${dir}`);
  return async () => lock.release();
}

/** The usage history beside a ledger store: `<ledger dir>/usage/` for the file store, its database's table for PostgreSQL. */
export function usageHistoryFor(store: { kind: string; location: string; database?: PgDatabase }): UsageHistory {
  if (store.kind === "file") return new FileUsageHistory(join(store.location, "usage"));
  if (store.kind === "postgres" && store.database) return new PostgresUsageHistory(store.database);
  throw new FailureError(`internal: no usage history for a ${store.kind} ledger store`, "internal");
}


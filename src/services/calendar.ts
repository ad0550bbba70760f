import { InputError, quoteInput } from "../errors.js";

/**
 * Days and periods as invoices count them: French civil days (Europe/Paris), months,
 * quadrimestres (1 = January–April, 2 = May–August, 3 = September–December, art. 8.5).
 * Days are YYYY-MM-DD strings; arithmetic runs on UTC midnights, which has no DST.
 */
const DAY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A calendar date YYYY-MM-DD that exists (2026-02-30 does not). */
export function isDay(text: string): boolean {
  if (!DAY_RE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const PARIS_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" });

/** The Europe/Paris calendar day of an instant. */
export function parisDay(instant: Date): string {
  return PARIS_DAY.format(instant);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export interface Quadrimestre {
  year: number;
  index: 1 | 2 | 3;
  /** "2026-01" … "2026-04". */
  months: string[];
  from: string;
  to: string;
}

export function quadrimestre(year: number, index: 1 | 2 | 3): Quadrimestre {
  const months = [0, 1, 2, 3].map((i) => `${year}-${String((index - 1) * 4 + 1 + i).padStart(2, "0")}`);
  return { year, index, months, from: `${months[0]}-01`, to: monthEnd(months[3]!) };
}

/** `--quadrimestre 2026-1` → the period; anything else is refused with the expected form. */
export function parseQuadrimestre(text: string): Quadrimestre {
  const m = /^(20\d\d)-([123])$/.exec(text.trim());
  if (!m) throw new InputError(`--quadrimestre ${quoteInput(text)} must read YEAR-N with N 1 (January–April), 2 (May–August) or 3 (September–December), e.g. --quadrimestre 2026-1.`);
  return quadrimestre(Number(m[1]), Number(m[2]) as 1 | 2 | 3);
}

/** A day given on the command line (YYYY-MM-DD, a real date). */
export function parseDay(text: string, option: string): string {
  const t = text.trim();
  if (!isDay(t)) throw new InputError(`${option} ${quoteInput(text)} is not a date; write it as YYYY-MM-DD, e.g. 2026-05-04.`);
  return t;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `--at`: an ISO 8601 instant with its offset (2026-03-14T02:00:00+01:00, …Z), or a day
 * (2026-03-14, taken as that day). Returns the instant and the Paris day it stands for.
 */
export function parseInstant(text: string, option = "--at"): { takenAt: string; day: string } {
  const t = text.trim();
  if (isDay(t)) return { takenAt: `${t}T00:00:00.000Z`, day: t };
  const d = new Date(t);
  if (!ISO_INSTANT.test(t) || Number.isNaN(d.getTime())) {
    throw new InputError(`${option} ${quoteInput(text)} is not an ISO 8601 date-time with its offset (2026-03-14T02:00:00+01:00 or 2026-03-14T01:00:00Z) nor a day (2026-03-14).`);
  }
  return { takenAt: d.toISOString(), day: parisDay(d) };
}

const MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/** "2026-03" → "mars 2026". */
export function monthFr(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return `${MONTHS_FR[m - 1]} ${y}`;
}

/** "2026-05-04" → "4 mai 2026". */
export function dayFr(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return `${d === 1 ? "1er" : d} ${MONTHS_FR[m - 1]} ${y}`;
}

/**
 * Money without float drift: prices are parsed from decimal text into integer
 * micro-euros (bigint), arithmetic stays in integers, and results are rounded once
 * to integer cents (half away from zero) where a report shows them.
 */
export const MICROS_PER_CENT = 10_000n;

const EUROS_RE = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

/** "0.25" → 250000n micro-euros; null when the text is not a plain decimal amount. */
export function parseEuros(text: string): bigint | null {
  const m = EUROS_RE.exec(text);
  if (!m) return null;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/** Divides and rounds half away from zero (amounts here are never negative, but be exact anyway). */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  const sign = numerator < 0n !== denominator < 0n ? -1n : 1n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  return sign * ((2n * n + d) / (2n * d));
}

/** Rounds micro-euros (divided by `per`, e.g. bytes per GB) to integer cents, as a JS number checked to be exact. */
export function microsToCents(micros: bigint, per = 1n): number {
  const cents = divRound(micros, MICROS_PER_CENT * per);
  const n = Number(cents);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${cents} cents is beyond exact integer range`);
  return n;
}

/** 1234567 → "12 345,67 €" (French grouping with a narrow no-break space, as invoices write it). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const euros = Math.trunc(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return `${sign}${euros},${String(abs % 100).padStart(2, "0")} €`;
}

/** A unit price for people, with as many decimals as it has (at least 2): 20000n → "0,02 €", 38880n → "0,03888 €". */
export function formatPrice(micros: bigint): string {
  const euros = micros / 1_000_000n;
  const frac = (micros % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${euros},${frac} €`;
}

import { InputError, quoteInput } from "../errors.js";

/** A storage size in decimal bytes, or unlimited (the Espace Opérateur's `max_storage: 0`). */
export type StorageSize = number | "unlimited";

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/;

/**
 * Parses a size as people write it in quotas: `50GB`, `1.5 TB`, `500MB`, `unlimited`.
 * Decimal units only (the Espace Opérateur counts decimal bytes); GiB, lowercase `gb`,
 * negative, zero and fractional bytes are refused rather than guessed.
 */
export function parseSize(text: string, what = "size"): StorageSize {
  const trimmed = text.trim();
  if (trimmed === "unlimited") return "unlimited";
  const m = SIZE_RE.exec(trimmed);
  if (!m) {
    throw new InputError(`${what} ${quoteInput(text)} is not a size; write a decimal size such as 500MB, 50GB or 1.5TB (units B, KB, MB, GB, TB), or "unlimited".`);
  }
  const bytes = Number(m[1]) * UNITS[m[2]!]!;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new InputError(`${what} ${quoteInput(text)} must be a whole, positive number of bytes (at most ${Number.MAX_SAFE_INTEGER}).`);
  }
  return bytes;
}

/** Formats decimal bytes for people: 50000000000 → "50 GB". */
export function formatSize(size: StorageSize): string {
  if (size === "unlimited") return "unlimited";
  for (const unit of ["TB", "GB", "MB", "KB"]) {
    const factor = UNITS[unit]!;
    if (size >= factor && size % (factor / 100) === 0) return `${Number((size / factor).toFixed(2))} ${unit}`;
  }
  return `${size} B`;
}

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * API tokens: `domaines_<id>_<secret>`, the secret 32 random bytes (256 bits) in
 * base64url. Only SHA-256 of the whole token is stored: a fast hash is enough for a
 * value that random (nothing to brute-force), and lets each request be checked in
 * microseconds. The prefix makes a leaked token easy to find and scrub (see redact).
 */
export const ROLES = ["admin", "operator", "support", "webhook"] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_PREFIX = "domaines_";
const ID_RE = /^t[0-9a-f]{12}$/;
const TOKEN_RE = /^domaines_(t[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** Anything shaped like one of our tokens, for scrubbing logs and answers. */
export const TOKEN_PATTERN = /domaines_t[0-9a-f]{12}_[A-Za-z0-9_-]{20,}/g;

export const tokenIdSchema = z.string().regex(ID_RE, "a token id such as t0123456789ab (from `domaines token list`)");

export const tokenRecordSchema = z.strictObject({
  id: tokenIdSchema,
  role: z.enum(ROLES),
  /** The structure an operator (or webhook) token acts for; null for admin and support. */
  operator: z.string().nullable(),
  /** SHA-256 of the whole token, hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  /** Who created it (the CLI actor), for the record. */
  createdBy: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable().default(null),
});
export type TokenRecord = z.output<typeof tokenRecordSchema>;

/** Who a verified token speaks for: the audit log's actor is `actor`, never a client-supplied value. */
export interface Principal {
  tokenId: string;
  role: Role;
  operator: string | null;
  /** `operator:cdg48/t0123456789ab`, `admin/t…`, `support/t…`, `webhook/t…`. */
  actor: string;
}

export function principalOf(record: Pick<TokenRecord, "id" | "role" | "operator">): Principal {
  const scope = record.operator === null ? record.role : `${record.role}:${record.operator}`;
  return { tokenId: record.id, role: record.role, operator: record.operator, actor: `${scope}/${record.id}` };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newToken(): { id: string; token: string; hash: string } {
  const id = `t${randomBytes(6).toString("hex")}`;
  const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
  return { id, token, hash: hashToken(token) };
}

/** The id a presented token claims, or null when it is not shaped like one of ours. */
export function claimedId(token: string): string | null {
  return TOKEN_RE.exec(token)?.[1] ?? null;
}

// Compared against when the claimed id is unknown, so that both paths do the same work.
const DUMMY_HASH = hashToken(`${TOKEN_PREFIX}t000000000000_${"A".repeat(43)}`);

/** Constant-time comparison of the presented token's hash with the stored one (or a dummy). */
export function hashMatches(token: string, stored: string | undefined): boolean {
  const a = Buffer.from(hashToken(token), "hex");
  const b = Buffer.from(stored ?? DUMMY_HASH, "hex");
  return timingSafeEqual(a, b) && stored !== undefined;
}

export type TokenState = "active" | "expired" | "revoked";

export function tokenState(record: TokenRecord, now: Date): TokenState {
  if (record.revokedAt !== null) return "revoked";
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) return "expired";
  return "active";
}

/** Replaces anything shaped like a token in a text (log lines, error details) with [redacted]. */
export function redactTokens(text: string): string {
  return text.replace(TOKEN_PATTERN, "[redacted]");
}

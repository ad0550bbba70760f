import type { TokenStore } from "../auth/token-store.js";
import { newToken, ROLES, tokenState, type Role, type TokenRecord, type TokenState } from "../auth/tokens.js";
import { InputError, quoteInput } from "../errors.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { findOperator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";

export interface CreateTokenRequest {
  role: string;
  operator?: string;
  /** Seconds from now, a date, or null (never); default 90 days. */
  expires?: { seconds: number } | { at: Date } | null;
}

export interface CreatedToken {
  id: string;
  /** Shown once: only its hash is kept. */
  token: string;
  role: Role;
  operator: string | null;
  expiresAt: string | null;
}

const DEFAULT_EXPIRY_SECONDS = 90 * 86400;

function checkedRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw)) throw new InputError(`--role ${quoteInput(raw)} is not a role; roles: admin (ANCT platform), operator (one structure, with --operator), support (reads everything), webhook (the Espace Opérateur's webhook only).`);
  return raw as Role;
}

/** Creates a token (recorded in the audit log, without its value) and returns it, once. */
export async function createToken(ws: Workspace, tokens: TokenStore, meta: TransactionMeta, request: CreateTokenRequest): Promise<CreatedToken> {
  const role = checkedRole(request.role);
  let operator: string | null = null;
  if (request.operator !== undefined) {
    if (role === "admin" || role === "support") throw new InputError(`--operator is for operator and webhook tokens; a ${role} token acts for no single structure (leave --operator out).`);
    operator = findOperator(ws.operators(), request.operator).name;
  } else if (role === "operator") {
    throw new InputError("an operator token needs --operator NAME: the structure it acts for (data/operators.json).");
  }
  const now = new Date();
  const expires = request.expires === undefined ? { seconds: DEFAULT_EXPIRY_SECONDS } : request.expires;
  const expiresAt = expires === null ? null : "seconds" in expires ? new Date(now.getTime() + expires.seconds * 1000) : expires.at;
  if (expiresAt !== null && expiresAt.getTime() <= now.getTime()) throw new InputError(`--expires ${expiresAt.toISOString()} is in the past; give a future date or a duration such as 90d.`);
  const { id, token, hash } = newToken();
  const record: TokenRecord = {
    id,
    role,
    operator,
    hash,
    createdAt: now.toISOString(),
    createdBy: meta.actor,
    expiresAt: expiresAt?.toISOString() ?? null,
    revokedAt: null,
    revokedBy: null,
  };
  // Traced first: a token that exists without its audit line would be an untraced credential.
  await ws.store().recordEvent(meta, { kind: "token.created", tokenId: id, role, operator, expiresAt: record.expiresAt, store: tokens.location });
  await tokens.add(record);
  return { id, token, role, operator, expiresAt: record.expiresAt };
}

export interface TokenListing {
  store: string;
  tokens: (Omit<TokenRecord, "hash"> & { state: TokenState })[];
}

/** Every token without its hash, with its state now. */
export async function listTokens(tokens: TokenStore): Promise<TokenListing> {
  const now = new Date();
  return { store: tokens.location, tokens: (await tokens.list()).map(({ hash: _hash, ...t }) => ({ ...t, state: tokenState({ ...t, hash: _hash }, now) })) };
}

/** Revokes a token at once (the server re-reads the store per request); traced in the audit log. */
export async function revokeToken(ws: Workspace, tokens: TokenStore, meta: TransactionMeta, id: string): Promise<{ id: string; revokedAt: string; alreadyRevoked: boolean }> {
  const before = (await tokens.list()).find((t) => t.id === id);
  if (!before) throw new InputError(`no token has id ${quoteInput(id)} in ${tokens.location}; \`domaines token list\` shows the ids.`, "not-found");
  const now = new Date().toISOString();
  if (before.revokedAt !== null) return { id, revokedAt: before.revokedAt, alreadyRevoked: true };
  const after = await tokens.revoke(id, now, meta.actor);
  await ws.store().recordEvent(meta, { kind: "token.revoked", tokenId: id, role: before.role, operator: before.operator });
  return { id, revokedAt: after?.revokedAt ?? now, alreadyRevoked: false };
}

import type { TokenStore } from "./token-store.js";
import { claimedId, hashMatches, principalOf, tokenState, type Principal } from "./tokens.js";

/**
 * Verifies a presented token: the principal, or null for an unknown, malformed, wrong,
 * expired or revoked token alike (callers answer 401 without saying which). The hash is
 * compared in constant time, also when the claimed id is unknown.
 */
export type VerifyToken = (token: string) => Promise<Principal | null>;

export function tokenVerifier(store: TokenStore, now: () => Date = () => new Date()): VerifyToken {
  return async (token) => {
    const id = claimedId(token);
    const record = id === null ? undefined : await store.find(id);
    const matches = hashMatches(token, record?.hash);
    if (!matches || record === undefined) return null;
    return tokenState(record, now()) === "active" ? principalOf(record) : null;
  };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== "string") return null;
  const m = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return m ? m[1]! : null;
}

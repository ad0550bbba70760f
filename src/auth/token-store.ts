import { chmodSync, existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { FailureError, InputError } from "../errors.js";
import { readJsonFile } from "../json-file.js";
import { replaceDurably } from "../ledger/fsync.js";
import { acquireLock } from "../ledger/lock.js";
import { isPostgresUrl } from "../ledger/pg/url.js";
import { tokenRecordSchema, type TokenRecord } from "./tokens.js";

/**
 * Where tokens are kept: a JSON file beside a ledger directory, or the ledger's PostgreSQL
 * database (./pg-token-store.ts). A store holds records (hashes, never tokens).
 */
export interface TokenStore {
  readonly location: string;
  /** Every record, validated. */
  list(): Promise<TokenRecord[]>;
  /** The record with this id, from a copy refreshed when the store changes (a server calls it per request). */
  find(id: string): Promise<TokenRecord | undefined>;
  add(record: TokenRecord): Promise<void>;
  /** Marks a token revoked; returns the record as it now is, or undefined when no token has this id. */
  revoke(id: string, at: string, by: string): Promise<TokenRecord | undefined>;
  /** Releases connections (a database store). */
  close?(): Promise<void>;
}

export const TOKENS_FILE = "tokens.json";
export const TOKENS_ENV = "DOMAINES_TOKENS";

/**
 * `--tokens FILE|URL`, else DOMAINES_TOKENS, else where the ledger is: tokens.json in its
 * directory, or its PostgreSQL database (the same URL).
 */
export function tokensLocation(explicit: string | undefined, ledgerLocation: string, env: NodeJS.ProcessEnv): string {
  const chosen = explicit ?? env[TOKENS_ENV];
  if (chosen && chosen !== "") return isPostgresUrl(chosen) ? chosen : resolve(chosen);
  return isPostgresUrl(ledgerLocation) ? ledgerLocation : resolve(join(ledgerLocation, TOKENS_FILE));
}

const tokensFileSchema = z.strictObject({
  $comment: z.string().optional(),
  tokens: z.array(tokenRecordSchema),
});

const COMMENT = "API tokens of `domaines serve`: SHA-256 hashes only (tokens are shown once, at creation). Managed with `domaines token create|list|revoke`; do not edit by hand.";

function identity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return "absent";
  }
}

/** Tokens in a JSON file (mode 0600), replaced atomically under a lock; readers see the old or the new file. */
export class FileTokenStore implements TokenStore {
  private cached: { identity: string; byId: Map<string, TokenRecord> } | undefined;

  constructor(readonly location: string) {}

  private readAll(): TokenRecord[] {
    if (!existsSync(this.location)) return [];
    return readJsonFile(this.location, tokensFileSchema, `token store ${this.location}`).tokens;
  }

  async list(): Promise<TokenRecord[]> {
    return this.readAll();
  }

  async find(id: string): Promise<TokenRecord | undefined> {
    // A stat per call: a token revoked from the CLI stops working at the next request.
    const now = identity(this.location);
    if (this.cached?.identity !== now) this.cached = { identity: now, byId: new Map(this.readAll().map((t) => [t.id, t])) };
    return this.cached.byId.get(id);
  }

  private async update<T>(change: (tokens: TokenRecord[]) => { tokens: TokenRecord[]; result: T }): Promise<T> {
    const dir = dirname(this.location);
    if (!existsSync(dir)) throw new InputError(`the directory of the token store ${this.location} does not exist; create it, or choose another file with --tokens FILE / ${TOKENS_ENV}.`);
    // The ledger's lock (src/ledger/lock.ts): never taken from a live holder, taken over from a gone one.
    const lock = await acquireLock(`${this.location}.lock`, "token", `the token store ${this.location}`);
    try {
      const { tokens, result } = change(this.readAll());
      replaceDurably(this.location, `${JSON.stringify({ $comment: COMMENT, tokens }, null, 2)}\n`);
      chmodSync(this.location, 0o600);
      this.cached = undefined;
      return result;
    } finally {
      lock.release();
    }
  }

  async add(record: TokenRecord): Promise<void> {
    await this.update((tokens) => {
      if (tokens.some((t) => t.id === record.id)) throw new FailureError(`token id ${record.id} already exists (a random collision); run the command again.`, "conflict");
      return { tokens: [...tokens, record], result: undefined };
    });
  }

  async revoke(id: string, at: string, by: string): Promise<TokenRecord | undefined> {
    return this.update((tokens) => {
      const found = tokens.find((t) => t.id === id);
      if (!found) return { tokens, result: undefined };
      const revoked: TokenRecord = found.revokedAt === null ? { ...found, revokedAt: at, revokedBy: by } : found;
      return { tokens: tokens.map((t) => (t.id === id ? revoked : t)), result: revoked };
    });
  }
}

/** The store a location designates: a `postgres://` URL is the database's table, anything else a file. */
export async function openTokenStore(location: string, env: NodeJS.ProcessEnv = process.env): Promise<TokenStore> {
  if (!isPostgresUrl(location)) return new FileTokenStore(location);
  const { PostgresTokenStore } = await import("./pg-token-store.js");
  return new PostgresTokenStore(location, env);
}

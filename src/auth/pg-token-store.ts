import { FailureError } from "../errors.js";
import { PgDatabase, type PgClient } from "../ledger/pg/database.js";
import type { TokenStore } from "./token-store.js";
import { tokenRecordSchema, type TokenRecord } from "./tokens.js";

/**
 * Tokens in the ledger's PostgreSQL database (domaines.api_tokens, migration 0002): every
 * server instance on that database sees a token created or revoked at its next request.
 * The table refuses deletes and any change but one revocation (a trigger).
 */
export class PostgresTokenStore implements TokenStore {
  private readonly database: PgDatabase;

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.database = new PgDatabase(url, env);
  }

  /** The URL without its password. */
  get location(): string {
    return this.database.location;
  }

  private record(json: unknown): TokenRecord {
    const parsed = tokenRecordSchema.safeParse(json);
    if (!parsed.success) {
      throw new FailureError(`the token store ${this.location} holds a record that is not a token (${parsed.error.issues[0]?.message ?? "invalid"}); it was changed outside domaines.`, "ledger-damaged");
    }
    return parsed.data;
  }

  private read<T>(doing: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
    return this.database.transaction(doing, fn, { readOnly: true });
  }

  async list(): Promise<TokenRecord[]> {
    return this.read("list the API tokens", async (client) => {
      const { rows } = await client.query<{ record: unknown }>("SELECT record FROM domaines.api_tokens ORDER BY position");
      return rows.map((r) => this.record(r.record));
    });
  }

  async find(id: string): Promise<TokenRecord | undefined> {
    // One indexed query per request: a token revoked on any instance stops at once.
    return this.read("check an API token", async (client) => {
      const { rows } = await client.query<{ record: unknown }>("SELECT record FROM domaines.api_tokens WHERE id = $1", [id]);
      return rows[0] ? this.record(rows[0].record) : undefined;
    });
  }

  async add(record: TokenRecord): Promise<void> {
    const checked = this.record(record);
    const inserted = await this.database.transaction("create an API token", async (client) => {
      const { rowCount } = await client.query("INSERT INTO domaines.api_tokens (id, record) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING", [checked.id, JSON.stringify(checked)]);
      return rowCount === 1;
    });
    if (!inserted) throw new FailureError(`token id ${record.id} already exists (a random collision); run the command again.`, "conflict");
  }

  async revoke(id: string, at: string, by: string): Promise<TokenRecord | undefined> {
    return this.database.transaction("revoke an API token", async (client) => {
      const { rows } = await client.query<{ record: unknown }>(
        `UPDATE domaines.api_tokens SET record = record || jsonb_build_object('revokedAt', $2::text, 'revokedBy', $3::text)
         WHERE id = $1 AND record ->> 'revokedAt' IS NULL RETURNING record`,
        [id, at, by],
      );
      if (rows[0]) return this.record(rows[0].record);
      // Already revoked (the first revocation stands), or no such token.
      const held = await client.query<{ record: unknown }>("SELECT record FROM domaines.api_tokens WHERE id = $1", [id]);
      return held.rows[0] ? this.record(held.rows[0].record) : undefined;
    });
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

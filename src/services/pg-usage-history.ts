import { FailureError, InputError } from "../errors.js";
import type { PgDatabase } from "../ledger/pg/database.js";
import { sampleKey, usageSampleSchema, type AppendResult, type UsageHistory, type UsageHistoryReport, type UsageSample } from "./usage-history.js";

/**
 * The usage history in the ledger's PostgreSQL database (domaines.usage_samples, migration
 * 0002): one row per commune, service and day, the first sample kept (a second sync the
 * same day inserts nothing), append-only by trigger. A statement reads its period's rows.
 */
export class PostgresUsageHistory implements UsageHistory {
  readonly kind = "postgres";

  constructor(private readonly database: PgDatabase) {}

  get location(): string {
    return this.database.location;
  }

  async read(range: { from: string; to: string }): Promise<UsageSample[]> {
    return this.database.transaction(
      "read the usage history",
      async (client) => {
        const { rows } = await client.query<{ sample: unknown }>(
          "SELECT sample FROM domaines.usage_samples WHERE day BETWEEN $1::date AND $2::date ORDER BY day, position",
          [range.from, range.to],
        );
        return rows.map((r) => {
          const parsed = usageSampleSchema.safeParse(r.sample);
          if (!parsed.success) throw new FailureError(`the usage history in ${this.location} holds a row that is not a sample (${parsed.error.issues[0]?.message ?? "invalid"}); it was changed outside domaines.`, "ledger-damaged");
          return parsed.data;
        });
      },
      { readOnly: true },
    );
  }

  async append(samples: readonly UsageSample[]): Promise<AppendResult> {
    const checked = samples.map((s) => {
      const parsed = usageSampleSchema.safeParse(s);
      if (!parsed.success) throw new InputError(`usage sample ${sampleKey(s)} is invalid: ${parsed.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
      return parsed.data;
    });
    if (checked.length === 0) return { added: 0, kept: [] };
    // The file store's order of keys, so that a sample reads back as the same line.
    const lines = checked.map(({ day, service, commune, operator, bytes, sirets, takenAt }) => JSON.stringify({ day, service, commune, operator, bytes, sirets, takenAt }));
    const inserted = await this.database.transaction("append to the usage history", async (client) => {
      const { rows } = await client.query<{ day: string; service: string; commune: string }>(
        `INSERT INTO domaines.usage_samples (day, service, commune, sample)
         SELECT (s ->> 'day')::date, s ->> 'service', s ->> 'commune', s
         FROM unnest($1::json[]) WITH ORDINALITY AS t(s, n) ORDER BY n
         ON CONFLICT (day, service, commune) DO NOTHING
         RETURNING to_char(day, 'YYYY-MM-DD') AS day, service, commune`,
        [lines],
      );
      return new Set(rows.map((r) => sampleKey(r as Pick<UsageSample, "day" | "service" | "commune">)));
    });
    // A sample of the same commune, service and day twice in one batch: the first is written.
    const written = new Set<string>();
    const kept: UsageSample[] = [];
    for (const s of checked) {
      const key = sampleKey(s);
      if (inserted.has(key) && !written.has(key)) written.add(key);
      else kept.push(s);
    }
    return { added: written.size, kept };
  }

  async validate(): Promise<UsageHistoryReport> {
    return this.database.transaction(
      "check the usage history",
      async (client) => {
        const { rows } = await client.query<{ day: string; sample: unknown }>("SELECT to_char(day, 'YYYY-MM-DD') AS day, sample FROM domaines.usage_samples ORDER BY day, position");
        const problems: string[] = [];
        const days = new Set<string>();
        for (const row of rows) {
          days.add(row.day);
          const parsed = usageSampleSchema.safeParse(row.sample);
          if (!parsed.success) problems.push(`${this.location} usage_samples (${row.day}): ${parsed.error.issues.map((x) => `${x.path.join(".") || "row"}: ${x.message}`).join("; ")}`);
        }
        return { location: this.location, days: days.size, samples: rows.length, ok: problems.length === 0, problems, note: null };
      },
      { readOnly: true, isolation: "repeatable read" },
    );
  }
}

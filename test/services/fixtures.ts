import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLedger } from "../../src/ledger/store.js";
import { ledgerEntrySchema, type LedgerEntry } from "../../src/ledger/schema.js";
import { operatorsFileSchema, type OperatorsFile } from "../../src/services/operators.js";
import { quotaPolicySchema, type QuotaPolicy } from "../../src/services/quota-policy.js";

const NOW = "2026-01-15T10:00:00.000Z";

/** A commune's allocated ledger entry with the given enrolments (quota overrides in bytes or "unlimited"). */
export function enrolled(key: string, label: string, name: string, departement: string, services: Record<string, Record<string, number | "unlimited">>): LedgerEntry {
  return ledgerEntrySchema.parse({
    label,
    state: "allocated",
    key,
    name,
    departement,
    allocatedAt: NOW,
    updatedAt: NOW,
    services: Object.fromEntries(Object.entries(services).map(([s, quotas]) => [s, { enrolledAt: NOW, quotas }])),
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `domaines-${prefix}-`));
}

/** Writes a ledger directory holding these entries; returns its path. */
/** A ledger of these entries, written as one audited transaction (as domaines writes it, so that later writes accept it). */
export function writeLedger(parent: string, entries: readonly LedgerEntry[]): string {
  const dir = join(parent, "ledger");
  mkdirSync(dir, { recursive: true });
  createLedger(dir, entries, { actor: "test", command: "test fixture" });
  return dir;
}

export function writeJson(parent: string, name: string, value: unknown): string {
  const path = join(parent, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

export const POLICY_JSON = {
  services: {
    messages: { defaults: { mailbox: "5GB", organization: "10GB" }, tiers: [{ minPopulation: 3500, quotas: { organization: "50GB" } }, { minPopulation: 10000, quotas: { organization: "100GB", mailbox: "10GB" } }], minimal: { mailbox: "1GB", organization: "2GB" } },
    fichiers: { defaults: { user: "5GB", organization: "10GB" }, minimal: { user: "1GB", organization: "3GB" } },
  },
};
export const policy: QuotaPolicy = quotaPolicySchema.parse(POLICY_JSON);

export function operatorsJson(eoUrl: string, messagesUrl: string, operators: unknown[]): unknown {
  return { espaceOperateur: { url: eoUrl, serviceIds: { messages: 2, fichiers: 12 }, timeoutMs: 2000, retries: 2 }, messages: { url: messagesUrl, timeoutMs: 2000, retries: 2 }, operators };
}

export function operatorsFile(operators: unknown[]): OperatorsFile {
  return operatorsFileSchema.parse(operatorsJson("http://127.0.0.1:1/api/v1.0/", "http://127.0.0.1:1/api/v1.0/", operators));
}

import { loadCommunes } from "../../../src/communes/load.js";
import { loadConfig, type DomainesConfig } from "../../../src/config/load.js";
import type { LedgerEntry } from "../../../src/ledger/schema.js";
import { computeLabels } from "../../../src/naming/labels.js";
import { loadReservedLabels } from "../../../src/naming/reserved.js";
import type { DkimStore } from "../../../src/records/dkim.js";
import { dkimPublicKey } from "../../records/fixtures.js";
import { parseStackConfig, type StackConfig } from "../../../infra/config.js";
import type { ProgramSources } from "../../../infra/sources.js";

/**
 * Test inputs built from the real commune data and the real deployment configuration:
 * ledger lines for whole départements (labels from the naming module), DKIM keys that
 * are real 2048-bit RSA public keys, and stack configurations as Pulumi hands them over.
 */

export const ZONE = "test.collectivite.fr";
export const MAIL_DOMAIN = "messages.example.net";
/** Not data/config.json's 3600, so a test can tell the deployment's TTL from a default. */
export const TTL = 900;
const AT = "2026-01-15T10:00:00.000Z";

let labelCache: Map<string, { label: string | null; homonymSlug: string | null }> | undefined;
function labels() {
  if (!labelCache) {
    const data = loadCommunes();
    const computed = computeLabels(data.communes, { reserved: loadReservedLabels() });
    labelCache = new Map([...computed].map(([k, c]) => [k, { label: c.label, homonymSlug: c.homonyms.length > 0 ? c.slug : null }]));
  }
  return labelCache;
}

export interface ShardOptions {
  /** Services every commune is enrolled in (default: messages). */
  services?: string[];
  /** Only the first n communes (by key), for small tests. */
  limit?: number;
}

/** `allocated` ledger lines for the communes of a département, each enrolled in `services`. */
export function departementEntries(departement: string, options: ShardOptions = {}): LedgerEntry[] {
  const communes = loadCommunes().communes.filter((c) => c.departement === departement).sort((a, b) => (a.key < b.key ? -1 : 1));
  const chosen = options.limit === undefined ? communes : communes.slice(0, options.limit);
  const services = options.services ?? ["messages"];
  return chosen.map((c) => {
    const label = labels().get(c.key)?.label;
    if (!label) throw new Error(`fixture: commune ${c.key} has no valid label`);
    return allocated(c.key, label, c.departement, c.name, services);
  });
}

export function allocated(key: string, label: string, departement: string, name: string, services: string[]): LedgerEntry {
  return {
    label,
    state: "allocated",
    key,
    name,
    departement,
    inseeHistory: [],
    nameHistory: [],
    allocatedAt: AT,
    updatedAt: AT,
    legacy: false,
    grandfathered: false,
    services: Object.fromEntries(services.map((s) => [s, { enrolledAt: AT, quotas: {} }])),
  } as LedgerEntry;
}

/** A homonym group's bare slug: reserved for nobody, of no département (platform stack). */
export function homonymReservation(label: string): LedgerEntry {
  return { label, state: "reserved", key: null, reservedReason: "homonym-group", inseeHistory: [], nameHistory: [], allocatedAt: AT, updatedAt: AT, legacy: false, grandfathered: false, services: {} } as LedgerEntry;
}

export function withServices(entry: LedgerEntry, services: string[]): LedgerEntry {
  return { ...entry, services: Object.fromEntries(services.map((s) => [s, { enrolledAt: AT, quotas: {} }])) } as LedgerEntry;
}

export function tombstoned(entry: LedgerEntry): LedgerEntry {
  return { ...entry, state: "tombstone", tombstonedAt: "2026-02-01T00:00:00.000Z", services: {} } as LedgerEntry;
}

/** The base64 SPKI of a real 2048-bit RSA key: a DKIM value of ~410 octets, longer than one TXT string. */
export { dkimPublicKey };

/** DKIM keys for the given labels (the others stay pending). */
export function dkimFor(labelsWithKey: readonly string[], zone = ZONE): DkimStore {
  return Object.fromEntries(labelsWithKey.map((l) => [`${l}.${zone}`, { selector: "stmessages", value: `v=DKIM1; k=rsa; p=${dkimPublicKey()}`, fetchedAt: AT }]));
}

/**
 * The deployment configuration of the test deployment: data/config.json with the test
 * zone, mail technical domain and TTL — the one source of truth the stack config only
 * asserts.
 */
export function testDeployment(): DomainesConfig {
  const base = loadConfig();
  return { ...base, zone: ZONE, dns: { ...base.dns!, ttl: TTL, variables: { ...base.dns!.variables, mailDomain: MAIL_DOMAIN } } };
}

/**
 * Raw Pulumi config (all strings, as the engine hands it over) for a stack, asserting the
 * test deployment's zone and mail domain. Espace Opérateur subscriptions are off here so
 * that these tests see only DNS resources; the tests that turn them on check them beside
 * the records.
 */
export function rawConfig(shard: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "domaines:zone": ZONE,
    "domaines:shard": shard,
    ...(shard === "platform" ? {} : { "domaines:mailTechnicalDomain": MAIL_DOMAIN, "domaines:subscriptions": "false" }),
    ...extra,
  };
}

export function stackConfig(shard: string, extra: Record<string, string> = {}): StackConfig {
  return parseStackConfig(rawConfig(shard, extra), shard === "platform" ? "platform" : `dep-${shard.toLowerCase()}`, () => false);
}

/** Program inputs as the program's own loader would build them, from in-memory ledger and DKIM. */
export function sourcesFor(entries: LedgerEntry[], dkim: DkimStore = {}, deployment: DomainesConfig = testDeployment()): (config: StackConfig) => ProgramSources {
  return () => ({ entries, dkim, deployment });
}

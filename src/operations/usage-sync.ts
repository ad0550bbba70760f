import { InputError } from "../errors.js";
import { primaryEntries } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { parseInstant, parisDay } from "../services/calendar.js";
import { SERVICE_NAMES, type ServiceName } from "../services/catalog.js";
import { membership, subscriptionHolder } from "../services/membership.js";
import { FICHIERS_METRICS_KEY_ENV, MESSAGES_METRICS_KEY_ENV, secretFromEnv, type OperatorsFile } from "../services/operators.js";
import { usageHistoryFor, type UsageHistoryReport, type UsageSample } from "../services/usage-history.js";
import { FICHIERS_METRICS_PATH, listOrganizationUsage, MESSAGES_METRICS_PATH, type MetricsEndpoint } from "../services/usage-metrics.js";
import type { Workspace } from "../workspace.js";

export interface UsageSyncOutcome {
  /** The Europe/Paris day the samples stand for, and when the figures were read. */
  day: string;
  takenAt: string;
  history: string;
  services: { service: ServiceName; url: string; organizations: number; samples: number; otherAccounts: number }[];
  /** Samples written now. */
  added: number;
  /** Communes already sampled that day in that service: the first sample is kept. */
  alreadySampled: { key: string; service: ServiceName }[];
  /** Communes enrolled in a service that the service did not report: a gap for that day. */
  missing: { key: string; name: string; service: ServiceName }[];
  /** SIRETs whose SIREN is no current commune: not recorded, reported. */
  unknownSirets: { service: ServiceName; siret: string; storageUsedBytes: number }[];
  /** Current communes the service reports but that are not enrolled in it: not recorded, reported. */
  notEnrolled: { service: ServiceName; key: string; name: string; storageUsedBytes: number }[];
  /** Organisation entries without a usable SIRET. */
  badSirets: { service: ServiceName; siret: string }[];
  warnings: string[];
}

/** The usage endpoint of a service, with its key from the environment; null when the service is not configured. */
function endpointOf(operators: OperatorsFile, service: ServiceName, env: NodeJS.ProcessEnv): MetricsEndpoint | null {
  if (service === "messages") {
    const m = operators.messages;
    const key = secretFromEnv(MESSAGES_METRICS_KEY_ENV, "reading Messages' usage metrics", env);
    return { service, serviceLabel: "Messages", baseUrl: m.url, path: MESSAGES_METRICS_PATH, authorization: `Bearer ${key}`, credentialHint: MESSAGES_METRICS_KEY_ENV, timeoutMs: m.timeoutMs, retries: m.retries };
  }
  const f = operators.fichiers;
  if (!f) return null;
  const key = secretFromEnv(FICHIERS_METRICS_KEY_ENV, "reading Fichiers' usage metrics", env);
  return { service, serviceLabel: "Fichiers", baseUrl: f.url, path: FICHIERS_METRICS_PATH, authorization: `Api-Key ${key}`, credentialHint: FICHIERS_METRICS_KEY_ENV, timeoutMs: f.timeoutMs, retries: f.retries };
}

/**
 * Reads storage used per organisation from each service that has enrolled communes and
 * appends one sample per enrolled commune and service for the day. Nothing the services
 * report is silently dropped: unknown SIRETs, communes not enrolled and enrolled communes
 * without a figure are all listed.
 */
export async function usageSync(ws: Workspace, meta: TransactionMeta, options: { at?: string } = {}): Promise<UsageSyncOutcome> {
  const now = new Date();
  const { takenAt, day } = options.at === undefined ? { takenAt: now.toISOString(), day: parisDay(now) } : parseInstant(options.at);
  const warnings: string[] = [];
  if (day !== parisDay(now)) warnings.push(`the figures are read now but recorded for ${day} (--at): use it only to make up a missed day.`);
  const store = ws.store();
  const entries = await store.read();
  const index = membership(ws);
  const enrolled = new Map<ServiceName, Map<string, { name: string; operator: string | null }>>();
  for (const e of primaryEntries(entries)) {
    for (const [s, enrolment] of Object.entries(e.services)) {
      if (!(SERVICE_NAMES as string[]).includes(s)) continue;
      const holder = subscriptionHolder(index, e.key, enrolment);
      const list = enrolled.get(s as ServiceName) ?? new Map();
      list.set(e.key, { name: ws.communeByKey(e.key)?.name ?? e.name ?? e.key, operator: holder.operator?.name ?? null });
      enrolled.set(s as ServiceName, list);
    }
  }
  const operators = ws.operators();
  // Every endpoint and key is checked before the first call: a sync is all the services or an error.
  const endpoints: MetricsEndpoint[] = [];
  for (const service of SERVICE_NAMES) {
    if (!enrolled.has(service)) continue;
    const ep = endpointOf(operators, service, ws.env);
    if (!ep) throw new InputError(`${enrolled.get(service)!.size} commune(s) are enrolled in ${service}, but data/operators.json has no "${service}" section with the URL of its usage metrics; add it.`);
    endpoints.push(ep);
  }
  const outcome: UsageSyncOutcome = { day, takenAt, history: "", services: [], added: 0, alreadySampled: [], missing: [], unknownSirets: [], notEnrolled: [], badSirets: [], warnings };
  const samples: UsageSample[] = [];
  for (const ep of endpoints) {
    const listing = await listOrganizationUsage(ep);
    const wanted = enrolled.get(ep.service)!;
    const bySiren = new Map<string, { bytes: number; sirets: string[] }>();
    for (const o of listing.organizations) {
      const siren = o.siret.slice(0, 9);
      const commune = ws.communeByKey(siren);
      if (!commune) {
        outcome.unknownSirets.push({ service: ep.service, siret: o.siret, storageUsedBytes: o.storageUsed });
        continue;
      }
      if (!wanted.has(commune.key)) {
        outcome.notEnrolled.push({ service: ep.service, key: commune.key, name: commune.name, storageUsedBytes: o.storageUsed });
        continue;
      }
      const sum = bySiren.get(commune.key) ?? { bytes: 0, sirets: [] };
      sum.bytes += o.storageUsed;
      sum.sirets.push(o.siret);
      bySiren.set(commune.key, sum);
    }
    for (const s of listing.badSirets) outcome.badSirets.push({ service: ep.service, siret: s });
    for (const [key, { name, operator }] of wanted) {
      const figure = bySiren.get(key);
      if (!figure) {
        outcome.missing.push({ key, name, service: ep.service });
        continue;
      }
      samples.push({ day, service: ep.service, commune: key, operator, bytes: figure.bytes, sirets: figure.sirets.sort(), takenAt });
    }
    outcome.services.push({ service: ep.service, url: listing.url, organizations: listing.organizations.length, samples: bySiren.size, otherAccounts: listing.otherAccounts });
  }
  samples.sort((a, b) => SERVICE_NAMES.indexOf(a.service) - SERVICE_NAMES.indexOf(b.service) || a.commune.localeCompare(b.commune));
  const history = usageHistoryFor(store);
  outcome.history = history.location;
  const { added, kept } = await history.append(samples);
  outcome.added = added;
  outcome.alreadySampled = kept.map((k) => ({ key: k.commune, service: k.service }));
  if (added > 0) await store.recordEvent(meta, { kind: "usage.sync", day, takenAt, samples: added, services: outcome.services.map((s) => s.service) });
  return outcome;
}

/** Every sample of the usage history checked (shape, day file, one a day per commune and service). */
export async function validateUsageHistory(ws: Workspace): Promise<UsageHistoryReport> {
  return usageHistoryFor(ws.store()).validate();
}

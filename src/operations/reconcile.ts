import { InputError } from "../errors.js";
import { primaryEntries } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import type { ServiceName } from "../ledger/services.js";
import { SERVICE_NAMES } from "../services/catalog.js";
import { listOperatorOrganizations, type ListedOrganization } from "../services/espace-operateur-listing.js";
import { findOperator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";
import { operatorMembers } from "./coverage.js";
import { offboard, onboard } from "./enrolment.js";
import { espaceOperateurOptions } from "./espace-operateur.js";

/**
 * A missed webhook is never retried: reconciliation reads the operator's subscriptions in
 * the Espace Opérateur and compares them with the ledger's enrolments of its members.
 *   subscribed-not-enrolled: an active subscription, no enrolment → --apply onboards;
 *   inactive-but-enrolled: the subscription exists, inactive → --apply offboards;
 *   enrolled-without-subscription: enrolled, no subscription at all. Either the Pulumi stack
 *     has not provisioned it yet, or it was deleted in the Espace Opérateur: offboarded only
 *     with --offboard-missing (never guessed);
 *   subscribed-not-member: a subscription for an organisation the structure does not
 *     cover in data/operators.json → reported only.
 */
export type DifferenceKind = "subscribed-not-enrolled" | "inactive-but-enrolled" | "enrolled-without-subscription" | "subscribed-not-member";

export interface Difference {
  kind: DifferenceKind;
  siren: string;
  key: string | null;
  name: string;
  service: ServiceName;
  /** What --apply does (or did): onboard, offboard, or nothing. */
  action: "onboard" | "offboard" | "none";
  applied: boolean;
  note: string;
}

export interface ReconcileReport {
  operator: string;
  apply: boolean;
  members: number;
  organizations: number;
  inAgreement: number;
  differences: Difference[];
  warnings: string[];
}

export interface ReconcileOptions {
  operator: string;
  apply?: boolean;
  offboardMissing?: boolean;
  /** Instead of reading the Espace Opérateur (tests give a listing); default: its API. */
  list?: () => Promise<ListedOrganization[]>;
}

export async function reconcile(ws: Workspace, meta: TransactionMeta, options: ReconcileOptions): Promise<ReconcileReport> {
  const operator = findOperator(ws.operators(), options.operator);
  const apply = options.apply === true;
  if (options.offboardMissing && !apply) throw new InputError("--offboard-missing changes the ledger: give it with --apply.");
  const serviceIds = ws.operators().espaceOperateur.serviceIds;
  const serviceById = new Map(SERVICE_NAMES.map((s) => [serviceIds[s], s]));
  const organizations = await (options.list ?? (() => listOperatorOrganizations(espaceOperateurOptions(ws, operator))))();
  const { members } = operatorMembers(ws, operator.name);
  const memberBySiren = new Map(members.filter((m) => m.siren !== null).map((m) => [m.siren!, m]));
  const warnings = members.filter((m) => m.siren === null).map((m) => `${m.name} (${m.key}) has no SIREN: the Espace Opérateur cannot know it, left out.`);
  const entries = await ws.store().readMentioning(members.map((m) => m.key));
  const enrolled = new Map(primaryEntries(entries).map((e) => [e.key, e]));
  const subscribed = new Map<string, Map<ServiceName, boolean>>(); // siren → service → active
  const differences: Difference[] = [];
  for (const org of organizations) {
    if (org.siren === null) continue;
    const byService = subscribed.get(org.siren) ?? new Map<ServiceName, boolean>();
    subscribed.set(org.siren, byService);
    for (const s of org.subscriptions) {
      const service = serviceById.get(s.serviceId);
      if (service) byService.set(service, s.isActive);
      if (service && s.isActive && !memberBySiren.has(org.siren)) {
        differences.push({ kind: "subscribed-not-member", siren: org.siren, key: null, name: org.name, service, action: "none", applied: false, note: `an active subscription, but ${operator.name} does not cover this organisation in data/operators.json` });
      }
    }
  }
  let inAgreement = 0;
  for (const m of memberBySiren.values()) {
    const entry = enrolled.get(m.key);
    for (const service of SERVICE_NAMES) {
      const active = subscribed.get(m.siren!)?.get(service);
      const isEnrolled = entry?.services[service] !== undefined;
      const base = { siren: m.siren!, key: m.key, name: m.name, service, applied: false };
      if (active === true && !isEnrolled) differences.push({ ...base, kind: "subscribed-not-enrolled", action: "onboard", note: "an active subscription the ledger does not know (a missed subscription.created)" });
      else if (active === false && isEnrolled) differences.push({ ...base, kind: "inactive-but-enrolled", action: "offboard", note: "the subscription is inactive in the Espace Opérateur" });
      else if (active === undefined && isEnrolled) {
        differences.push({
          ...base,
          kind: "enrolled-without-subscription",
          action: options.offboardMissing ? "offboard" : "none",
          note: "no subscription: not provisioned yet (run pulumi up for its département) or deleted in the Espace Opérateur (then --apply --offboard-missing)",
        });
      } else inAgreement++;
    }
  }
  if (apply) {
    for (const d of differences) {
      if (d.action === "none" || d.key === null) continue;
      const m = { ...meta, command: `${meta.command} (${d.kind} ${d.service})` };
      if (d.action === "onboard") await onboard(ws, m, { query: d.key, services: [d.service] });
      else await offboard(ws, m, { query: d.key, services: [d.service] });
      d.applied = true;
    }
  }
  return { operator: operator.name, apply, members: members.length, organizations: organizations.length, inAgreement, differences, warnings };
}

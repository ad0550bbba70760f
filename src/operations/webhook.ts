import { createHash } from "node:crypto";
import { z } from "zod";
import { DomainesError, InputError } from "../errors.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import type { ServiceName } from "../ledger/services.js";
import { SERVICE_NAMES } from "../services/catalog.js";
import { ServiceError } from "../services/http.js";
import type { Operator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";
import { coveringOperator } from "./coverage.js";
import { offboard, onboard } from "./enrolment.js";
import { espaceOperateurClientOrNull } from "./espace-operateur.js";

/**
 * The Espace Opérateur's webhook (DeployCenter `core/webhooks.py`): a body templated from
 * the subscription's context (README gives the template). Only the fields we act on are
 * required; the rest is kept for the audit line.
 */
export const EO_EVENT_TYPES = ["subscription.created", "subscription.updated", "subscription.deleted"] as const;

export const espaceOperateurEventSchema = z.looseObject({
  event_type: z.enum(EO_EVENT_TYPES),
  organization_siren: z.string().regex(/^\d{9}$/, "a SIREN of 9 digits").nullable(),
  service_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,9}$/).transform(Number)]),
  subscription_is_active: z.boolean().optional(),
  subscription_id: z.string().max(100).optional(),
  subscription_updated_at: z.string().max(100).optional(),
  operator_id: z.string().max(100).optional(),
  timestamp: z.string().max(100).optional(),
});
export type EspaceOperateurEvent = z.output<typeof espaceOperateurEventSchema>;

export interface WebhookDecision {
  /** Stable over replays of the same event: the idempotency key. */
  eventId: string;
  eventType: EspaceOperateurEvent["event_type"];
  key: string;
  name: string;
  service: ServiceName;
  operator: Operator;
  /** onboard for an active subscription; offboard-if-gone for a deletion or deactivation (checked against the API first). */
  action: "onboard" | "offboard-if-gone";
  subscriptionId: string | null;
}

/** Maps an event to a commune, a service and a structure; anything it cannot place is refused, never guessed. */
export function decideWebhook(ws: Workspace, event: EspaceOperateurEvent): WebhookDecision {
  const operators = ws.operators();
  const service = SERVICE_NAMES.find((s) => operators.espaceOperateur.serviceIds[s] === event.service_id);
  if (!service) throw new InputError(`service_id ${event.service_id} is not a service domaines enrols (data/operators.json serviceIds: ${SERVICE_NAMES.map((s) => `${s} ${operators.espaceOperateur.serviceIds[s]}`).join(", ")}).`, "not-found");
  if (event.organization_siren === null) throw new InputError("the event's organization_siren is null: the organisation has no SIREN, domaines cannot place it.", "not-found");
  const commune = ws.communeByKey(event.organization_siren);
  if (!commune) throw new InputError(`no current commune has SIREN ${event.organization_siren}.`, "not-found");
  const covering = coveringOperator(ws, commune.key);
  const named = event.operator_id === undefined ? undefined : operators.operators.find((o) => o.espaceOperateurId === event.operator_id);
  if (event.operator_id !== undefined && !named) throw new InputError(`operator_id ${JSON.stringify(event.operator_id)} is no configured structure's espaceOperateurId.`, "not-found");
  const operator = named ?? covering;
  if (!operator || covering?.name !== operator.name) {
    throw new DomainesError(`${commune.name} (${commune.key}) is not a member of ${operator?.name ?? "any configured structure"}; its subscriptions are not that structure's to drive.`, 2, "not-covered");
  }
  const gone = event.event_type === "subscription.deleted" || event.subscription_is_active === false;
  const eventId = createHash("sha256")
    .update(JSON.stringify([event.event_type, event.subscription_id ?? null, event.subscription_updated_at ?? event.timestamp ?? null, event.subscription_is_active ?? null, commune.key, service]))
    .digest("hex")
    .slice(0, 16);
  return { eventId, eventType: event.event_type, key: commune.key, name: commune.name, service, operator, action: gone ? "offboard-if-gone" : "onboard", subscriptionId: event.subscription_id ?? null };
}

export type Confirmation = "gone" | "inactive" | "active" | "unverified";

/** Asks the Espace Opérateur whether the subscription is really gone or inactive (a replayed or out-of-order deletion must not offboard). */
export async function confirmGone(ws: Workspace, d: WebhookDecision): Promise<{ confirmation: Confirmation; reason: string }> {
  const client = espaceOperateurClientOrNull(ws, d.operator);
  if (!client) return { confirmation: "unverified", reason: `the server has no Espace Opérateur key for ${d.operator.name} (DOMAINES_EO_TOKEN_…) to confirm the deletion; run \`domaines reconcile --operator ${d.operator.name}\`.` };
  try {
    const org = await client.findOrganization(d.key);
    const sub = await client.getSubscription(org.id, ws.operators().espaceOperateur.serviceIds[d.service]);
    if (sub === null) return { confirmation: "gone", reason: "no subscription in the Espace Opérateur" };
    return sub.isActive ? { confirmation: "active", reason: "the subscription is still active in the Espace Opérateur" } : { confirmation: "inactive", reason: "the subscription is inactive in the Espace Opérateur" };
  } catch (err) {
    if (err instanceof ServiceError && err.status === 404) return { confirmation: "gone", reason: "the organisation is no longer in the operator's perimeter" };
    return { confirmation: "unverified", reason: `the Espace Opérateur could not confirm: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface WebhookOutcome {
  eventId: string;
  outcome: "onboarded" | "offboarded" | "unchanged" | "kept" | "deferred" | "failed";
  reason: string;
}

/** Applies a decision to the ledger (onboard, or offboard once confirmed) and traces the event with its outcome in the audit log. */
export async function applyWebhook(ws: Workspace, meta: TransactionMeta, d: WebhookDecision, event: Record<string, unknown>, confirm = confirmGone): Promise<WebhookOutcome> {
  let result: WebhookOutcome;
  try {
    if (d.action === "onboard") {
      const r = await onboard(ws, meta, { query: d.key, services: [d.service] });
      result = { eventId: d.eventId, outcome: r.changed.length > 0 ? "onboarded" : "unchanged", reason: r.changed.length > 0 ? `enrolled in ${d.service}` : `already enrolled in ${d.service}` };
    } else {
      const c = await confirm(ws, d);
      if (c.confirmation === "gone" || c.confirmation === "inactive") {
        const holds = (await ws.store().readMentioning([d.key])).some((e) => e.state === "allocated" && e.key === d.key);
        const removed = holds ? (await offboard(ws, meta, { query: d.key, services: [d.service] })).removed : [];
        result = { eventId: d.eventId, outcome: removed.length > 0 ? "offboarded" : "unchanged", reason: c.reason };
      } else result = { eventId: d.eventId, outcome: c.confirmation === "active" ? "kept" : "deferred", reason: c.reason };
    }
  } catch (err) {
    result = { eventId: d.eventId, outcome: "failed", reason: err instanceof Error ? err.message : String(err) };
  }
  await ws.store().recordEvent(meta, { kind: "webhook.espace-operateur", commune: d.key, service: d.service, operator: d.operator.name, ...result, received: event });
  return result;
}

/**
 * The webhook to configure in the Espace Opérateur, per service (Service.config.webhooks, or an
 * operator's config_override): DeployCenter renders `{"$val": …}` from the subscription's context
 * and `{"$tpl": "{{…}}"}` as text. operator_id goes through $tpl: it is a UUID object there,
 * which its JSON encoder would refuse as a plain $val.
 */
export function espaceOperateurWebhookTemplate(url: string, token: string): Record<string, unknown> {
  return {
    url,
    method: "POST",
    event_types: [...EO_EVENT_TYPES],
    headers: { "X-Domaines-Token": token },
    body: {
      event_type: { $val: "event_type" },
      timestamp: { $val: "timestamp" },
      subscription_id: { $val: "subscription_id" },
      subscription_updated_at: { $val: "subscription_updated_at" },
      subscription_is_active: { $val: "subscription_is_active" },
      organization_siren: { $val: "organization_siren" },
      service_id: { $val: "service_id" },
      operator_id: { $tpl: "{{operator_id}}" },
    },
    timeout: 10,
  };
}

import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { authorizeWebhook, authorizeWebhookRole, requirePrincipal } from "../auth/policy.js";
import { DomainesError } from "../errors.js";
import { applyWebhook, confirmGone, decideWebhook, espaceOperateurEventSchema, type Confirmation, type WebhookDecision } from "../operations/webhook.js";
import type { Workspace } from "../workspace.js";
import type { ServerContext } from "./context.js";

export interface WebhookOptions {
  /** How deletions are confirmed (default: the Espace Opérateur API with the operator's key). */
  confirm?: (ws: Workspace, d: WebhookDecision) => Promise<{ confirmation: Confirmation; reason: string }>;
}

const KEPT_FIELDS = ["event_type", "timestamp", "subscription_id", "subscription_updated_at", "subscription_is_active", "organization_siren", "service_id", "operator_id"] as const;

/**
 * POST /api/v1/hooks/espace-operateur. DeployCenter fires its webhooks synchronously inside
 * the operator's own request and never retries, so this answers at once (202) once the event
 * is authenticated, validated and placed; the work (a ledger transaction, and for a deletion
 * a check against the Espace Opérateur API) runs in the server's write queue and is traced in
 * the audit log with its outcome. The same event again is answered 200 `duplicate`.
 */
export function registerWebhookRoute(root: FastifyInstance, ctx: ServerContext, options: WebhookOptions): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const seen = new Map<string, number>(); // eventId → when accepted (bounded)
  app.post(
    "/api/v1/hooks/espace-operateur",
    {
      // The role first: nothing about the event is looked at (or validated) for another token.
      preValidation: async (request) => authorizeWebhookRole(requirePrincipal(request.principal)),
      schema: {
        summary: "The Espace Opérateur's subscription webhook (subscription.created, .updated, .deleted)",
        tags: ["webhooks"],
        security: [{ webhookToken: [] }],
        body: espaceOperateurEventSchema,
        response: { 202: z.object({ status: z.literal("accepted"), eventId: z.string(), action: z.string() }), 200: z.object({ status: z.literal("duplicate"), eventId: z.string() }) },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request.principal);
      const event = request.body;
      let decision: WebhookDecision;
      try {
        decision = decideWebhook(ctx.ws, event);
      } catch (err) {
        ctx.metrics.webhooks.inc({ outcome: "refused" });
        throw err;
      }
      authorizeWebhook(p, decision.operator.name);
      if (seen.has(decision.eventId)) {
        ctx.metrics.webhooks.inc({ outcome: "duplicate" });
        return reply.code(200).send({ status: "duplicate" as const, eventId: decision.eventId });
      }
      seen.set(decision.eventId, Date.now());
      if (seen.size > 10_000) seen.delete(seen.keys().next().value!);
      const kept = Object.fromEntries(KEPT_FIELDS.filter((f) => event[f] !== undefined).map((f) => [f, event[f]]));
      const meta = { actor: p.actor, command: `POST /api/v1/hooks/espace-operateur ${event.event_type} ${event.subscription_id ?? ""}`.trim() };
      void ctx.writes
        .run(() => applyWebhook(ctx.ws, meta, decision, kept, options.confirm ?? confirmGone))
        .then(
          (r) => {
            ctx.metrics.webhooks.inc({ outcome: r.outcome });
            request.log.info({ eventId: r.eventId, outcome: r.outcome }, "webhook event applied");
          },
          (err: unknown) => {
            ctx.metrics.webhooks.inc({ outcome: "failed" });
            seen.delete(decision.eventId); // not traced: a replay may try again
            request.log.error({ eventId: decision.eventId, err: err instanceof DomainesError ? err.message : String(err) }, "webhook event could not be traced");
          },
        );
      return reply.code(202).send({ status: "accepted" as const, eventId: decision.eventId, action: decision.action });
    },
  );
}

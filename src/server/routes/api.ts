import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { auditScope, authorizeBatch, authorizeCommuneRead, authorizeCommuneWrite, authorizeOperatorRead, requirePrincipal, tokenRequired } from "../../auth/policy.js";
import type { Principal } from "../../auth/tokens.js";
import { DomainesError, InputError } from "../../errors.js";
import { indexedFinder } from "../../naming/lookup.js";
import { allocate } from "../../operations/allocate.js";
import { AUDIT_MAX_LIMIT, queryAudit } from "../../operations/audit.js";
import { checkQuery, type CheckReaders } from "../../operations/check.js";
import { checkedKey, communeDetail } from "../../operations/commune.js";
import { coveringOperator, operatorMembers } from "../../operations/coverage.js";
import { offboard, onboard, type OnboardOutcome } from "../../operations/enrolment.js";
import { heldAllocation, unchangedEnrolment } from "../../operations/unchanged.js";
import { onboardBatch } from "../../operations/onboardings.js";
import { enrolmentBodySchema, onboardingItemSchema, quotaOverrides, serviceNameSchema } from "../../operations/schemas.js";
import { operatorCost } from "../../operations/services.js";
import type { Operator } from "../../services/operators.js";
import type { ServerContext } from "../context.js";
import { problemOf } from "../problems.js";

const keyParams = z.object({ key: z.string().max(300).describe("a SIREN, or insee:<code> for a commune without one") });
const serviceParams = keyParams.extend({ service: serviceNameSchema });
const operatorParams = z.object({ name: z.string().max(100).describe("the structure's name (cdg48) or SIREN") });
const problemSchema = z.looseObject({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() }).describe("application/problem+json (RFC 9457)");
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 429: problemSchema };
const answer = (description: string) => z.unknown().describe(description);
const bearer = [{ bearer: [] }];

/** The commune named by `{key}`, with the structure covering it, after the token is checked. */
function communeOf(ctx: ServerContext, raw: string): { key: string; operator: string | null } {
  const key = checkedKey(raw);
  if (!ctx.ws.communeByKey(key)) throw new InputError(`no current commune has key ${key}; it may have merged into another (GET /api/v1/check?q=${encodeURIComponent(key)} tells).`, "not-found");
  return { key, operator: coveringOperator(ctx.ws, key)?.name ?? null };
}

function auditMeta(request: FastifyRequest, p: Principal): { actor: string; command: string } {
  return { actor: p.actor, command: `${request.method} ${request.url.split("?")[0]}` };
}

/** A structure by name or SIREN; an operator token asking for another one is refused before it learns whether it exists. */
function operatorFor(ctx: ServerContext, p: Principal, name: string): Operator {
  const q = name.trim().toLowerCase();
  const op = ctx.ws.operators().operators.find((o) => o.name === q || o.siren === q);
  if (p.role === "operator" && op?.name !== p.operator) authorizeOperatorRead(p, op?.name ?? q);
  if (!op) throw new InputError(`no configured structure is named ${JSON.stringify(name)}.`, "not-found");
  authorizeOperatorRead(p, op.name);
  return op;
}

export function registerApiRoutes(root: FastifyInstance, ctx: ServerContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const ws = ctx.ws;
  // check: indexes over the communes built once; the ledger lines from the (cached) store.
  let finder: ReturnType<typeof indexedFinder> | undefined;
  const readers: CheckReaders = { finder: () => (finder ??= indexedFinder(ws.communes(), ws.labels())), read: (values) => ws.store().readMentioning(values) };

  app.get(
    "/api/v1/check",
    {
      schema: {
        summary: "What a name, code, label or domain designates (the answer of `check --json`); no token needed",
        tags: ["communes"],
        querystring: z.object({ q: z.string().max(2000).describe("a name, SIREN, INSEE code, label, FQDN, IDN or A-label") }),
        response: { 200: answer("the answer of `domaines check --json`"), 400: problemSchema },
      },
    },
    async (request) => {
      // The same answer as `check --json`.
      return checkQuery(ws, request.query.q, readers);
    },
  );

  app.get(
    "/api/v1/communes/:key",
    { preValidation: tokenRequired, schema: { summary: "One commune: label, ledger state, services, quotas, desired DNS records", tags: ["communes"], security: bearer, params: keyParams, response: { 200: answer("the commune's detail"), ...errors } } },
    async (request) => {
      const p = requirePrincipal(request.principal);
      const c = communeOf(ctx, request.params.key);
      authorizeCommuneRead(p, c.operator, c.key);
      return communeDetail(ws, c.key);
    },
  );

  app.put(
    "/api/v1/communes/:key/label",
    { preValidation: tokenRequired, schema: { summary: "Allocate the commune's label (idempotent: 201 allocated now, 200 already held)", tags: ["communes"], security: bearer, params: keyParams, response: { 200: answer("the allocation"), 201: answer("the allocation"), ...errors } } },
    async (request, reply) => {
      const p = requirePrincipal(request.principal);
      const c = communeOf(ctx, request.params.key);
      authorizeCommuneWrite(p, c.operator, c.key);
      // Held already: the answer needs only the commune's own line (no lock, no write).
      const held = await heldAllocation(ws, ws.communeByKey(c.key)!);
      if (held) return reply.code(200).send(held);
      const outcome = await ctx.writes.run(() => allocate(ws, auditMeta(request, p), { queries: [c.key] }));
      const result = outcome.communes[0]!;
      ctx.metrics.writes.inc({ outcome: result.status === "allocated" ? "written" : "unchanged" });
      return reply.code(result.status === "allocated" ? 201 : 200).send(result);
    },
  );

  app.put(
    "/api/v1/communes/:key/services/:service",
    {
      preValidation: tokenRequired,
      schema: {
        summary: "Enrol the commune in a service, with optional quota overrides (idempotent: 201 enrolled now, 200 already)",
        tags: ["communes"],
        security: bearer,
        params: serviceParams,
        body: enrolmentBodySchema.nullish(),
        response: { 200: answer("the enrolment"), 201: answer("the enrolment"), ...errors },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request.principal);
      const c = communeOf(ctx, request.params.key);
      authorizeCommuneWrite(p, c.operator, c.key);
      const service = request.params.service;
      const quotas = quotaOverrides(service, request.body?.quotas);
      const bad = Object.keys(request.body?.quotas ?? {}).filter((a) => !quotas.some((q) => q.account === a));
      if (bad.length > 0) throw new InputError(`quotas: service ${service} has no account type ${bad.map((a) => JSON.stringify(a)).join(", ")}.`);
      const enrolment = (r: OnboardOutcome) => ({ ...r.allocation, fqdn: r.fqdn, service, enrolment: r.services[service], services: r.services, changed: r.changed });
      const same = await unchangedEnrolment(ws, ws.communeByKey(c.key)!, [service], quotas);
      if (same) return reply.code(200).send(enrolment(same));
      const { before, result } = await ctx.writes.run(async () => {
        const before = (await ws.store().readMentioning([c.key])).find((e) => e.state === "allocated" && e.key === c.key)?.services[service] !== undefined;
        return { before, result: await onboard(ws, auditMeta(request, p), { query: c.key, services: [service], quotas }) };
      });
      ctx.metrics.writes.inc({ outcome: result.changed.length > 0 ? "written" : "unchanged" });
      return reply.code(before ? 200 : 201).send(enrolment(result));
    },
  );

  app.delete(
    "/api/v1/communes/:key/services/:service",
    { preValidation: tokenRequired, schema: { summary: "End the commune's enrolment in a service (idempotent); the label stays its own", tags: ["communes"], security: bearer, params: serviceParams, response: { 200: answer("what was removed"), ...errors } } },
    async (request) => {
      const p = requirePrincipal(request.principal);
      const c = communeOf(ctx, request.params.key);
      authorizeCommuneWrite(p, c.operator, c.key);
      const service = request.params.service;
      return ctx.writes.run(async () => {
        const holds = (await ws.store().readMentioning([c.key])).some((e) => e.state === "allocated" && e.key === c.key);
        if (!holds) return { key: c.key, label: null, fqdn: null, removed: [], services: {} };
        const { commune: _c, ...out } = await offboard(ws, auditMeta(request, p), { query: c.key, services: [service] });
        ctx.metrics.writes.inc({ outcome: out.removed.length > 0 ? "written" : "unchanged" });
        return { key: c.key, ...out };
      });
    },
  );

  app.post(
    "/api/v1/onboardings",
    {
      // Who may write at all is known before the body is looked at.
      preValidation: async (request) => authorizeBatch(requirePrincipal(request.principal)),
      schema: {
        summary: `A batch of onboardings (at most ${ctx.limits.batchItems}): one result per item, each applied whole or not at all`,
        tags: ["communes"],
        security: bearer,
        body: z.array(onboardingItemSchema).min(1).max(ctx.limits.batchItems),
        response: { 200: z.object({ results: z.array(answer("one item's result: status, and the enrolment or a problem")) }), ...errors, 413: problemSchema },
      },
    },
    async (request) => {
      const p = requirePrincipal(request.principal);
      authorizeBatch(p);
      const outcomes = await ctx.writes.run(() =>
        onboardBatch(ws, auditMeta(request, p), request.body, (commune) => {
          try {
            authorizeCommuneWrite(p, coveringOperator(ws, commune.key)?.name ?? null, commune.key);
            return null;
          } catch (err) {
            return err as DomainesError;
          }
        }),
      );
      ctx.metrics.writes.inc({ outcome: outcomes.some((o) => o.ok && o.result.changed.length > 0) ? "written" : "unchanged" });
      return {
        results: outcomes.map((o) =>
          o.ok
            ? { index: o.index, status: o.result.allocation.status === "allocated" || o.result.changed.length > 0 ? 201 : 200, key: o.key, fqdn: o.fqdn, ...o.result }
            : { index: o.index, query: o.query, status: problemOf(o.error).status, problem: problemOf(o.error) },
        ),
      };
    },
  );

  app.get(
    "/api/v1/audit",
    {
      preValidation: tokenRequired,
      schema: {
        summary: "Who did what, when (an operator token sees the lines about its communes)",
        tags: ["audit"],
        security: bearer,
        querystring: z.object({
          commune: z.string().max(300).optional(),
          actor: z.string().max(300).optional(),
          since: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(AUDIT_MAX_LIMIT).optional(),
        }),
        response: { 200: answer("{records, truncated}"), ...errors },
      },
    },
    async (request) => {
      const p = requirePrincipal(request.principal);
      const scope = auditScope(p);
      const commune = request.query.commune === undefined ? undefined : communeOf(ctx, request.query.commune);
      if (commune) authorizeCommuneRead(p, commune.operator, commune.key);
      const communes = scope === "all" ? undefined : new Set(operatorMembers(ws, p.operator!).members.map((m) => m.key));
      const q = request.query;
      return queryAudit(ws, {
        ...(commune ? { commune: commune.key } : {}),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(communes ? { communes } : {}),
      });
    },
  );

  app.get(
    "/api/v1/operators/:name/cost",
    {
      preValidation: tokenRequired,
      schema: {
        summary: "What a structure pays for a year: fee, storage ceiling (amounts in integer cents)",
        tags: ["operators"],
        security: bearer,
        params: operatorParams,
        querystring: z.object({ year: z.string().regex(/^20\d\d$/, "four digits such as 2026").optional() }),
        response: { 200: answer("the cost report of `domaines cost --json`, with warnings"), ...errors },
      },
    },
    async (request) => {
      const p = requirePrincipal(request.principal);
      const op = operatorFor(ctx, p, request.params.name);
      const year = request.query.year === undefined ? new Date().getUTCFullYear() : Number(request.query.year);
      const { report, warnings } = await operatorCost(ws, { operator: op.name, year });
      return { ...report, warnings };
    },
  );

  app.get(
    "/api/v1/operators/:name/members",
    { preValidation: tokenRequired, schema: { summary: "The communes a structure covers, with their label and services", tags: ["operators"], security: bearer, params: operatorParams, response: { 200: answer("{operator, members}"), ...errors } } },
    async (request) => {
      const p = requirePrincipal(request.principal);
      const op = operatorFor(ctx, p, request.params.name);
      const { operator, members } = operatorMembers(ws, op.name);
      const primary = new Map((await ws.store().readMentioning(members.map((m) => m.key))).filter((e) => e.state === "allocated").map((e) => [e.key, e]));
      const zone = ws.zone();
      return {
        operator,
        members: members.map((m) => {
          const e = primary.get(m.key);
          return { ...m, label: e?.label ?? null, fqdn: e ? `${e.label}.${zone}` : null, services: e ? Object.keys(e.services) : [] };
        }),
      };
    },
  );
}

import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { authorizeMetrics, requirePrincipal } from "../../auth/policy.js";
import { FailureError } from "../../errors.js";
import type { ValidationReport } from "../../ledger/ledger-store.js";
import type { ServerContext } from "../context.js";

const READY_CACHE_MS = 10_000;

/** Probes, metrics and the OpenAPI document. */
export function registerOpsRoutes(root: FastifyInstance, ctx: ServerContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get("/healthz", { schema: { summary: "The process answers", tags: ["operations"], response: { 200: z.object({ status: z.literal("ok") }) } } }, async () => ({ status: "ok" as const }));

  // validate reads the whole ledger and replays its audit log: one run at a time, kept 10 s.
  let ready: { at: number; report: Promise<ValidationReport> } | undefined;
  app.get(
    "/readyz",
    { schema: { summary: "The ledger reads and validates", tags: ["operations"], response: { 200: z.object({ status: z.literal("ready"), ledger: z.string(), labels: z.number() }) } } },
    async () => {
      if (!ready || Date.now() - ready.at > READY_CACHE_MS) ready = { at: Date.now(), report: ctx.ws.store().validate(ctx.ws.reserved()) };
      let report: ValidationReport;
      try {
        report = await ready.report;
      } catch (err) {
        ready = undefined;
        throw err;
      }
      if (!report.ok) throw new FailureError(`the ledger does not validate (${report.problems.length} problem(s)); run \`domaines validate\`.`, "ledger-damaged");
      return { status: "ready" as const, ledger: report.ledger, labels: report.labels };
    },
  );

  app.get("/metrics", { schema: { summary: "Prometheus metrics (admin or support token)", tags: ["operations"], security: [{ bearer: [] }] } }, async (request, reply) => {
    authorizeMetrics(requirePrincipal(request.principal));
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(ctx.metrics.render());
  });

  app.get("/api/v1/openapi.json", { schema: { hide: true } as never }, async (_request, reply) => reply.type("application/json").send(JSON.stringify(root.swagger())));
}

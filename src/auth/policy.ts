import { DomainesError } from "../errors.js";
import type { Principal } from "./tokens.js";

/**
 * Who may do what. admin (ANCT platform): everything. operator (one structure): reads and
 * writes its member communes, reads its own costs and members and the audit lines about
 * its communes. support: reads everything, writes nothing. webhook: only the Espace
 * Opérateur's webhook. These functions throw; a route calls them before any work.
 */
export const UNAUTHORIZED_MESSAGE = "no valid token was presented: send `Authorization: Bearer <token>` with a token from `domaines token create`.";

export function unauthorized(): DomainesError {
  return new DomainesError(UNAUTHORIZED_MESSAGE, 2, "unauthorized");
}

function forbidden(message: string): DomainesError {
  return new DomainesError(message, 2, "forbidden");
}

export function requirePrincipal(p: Principal | null): Principal {
  if (!p) throw unauthorized();
  return p;
}

/** Reading a commune (its quotas and audit included): admin, support, or the operator covering it. */
export function authorizeCommuneRead(p: Principal, coveringOperator: string | null, key: string): void {
  if (p.role === "admin" || p.role === "support") return;
  if (p.role === "operator" && coveringOperator === p.operator) return;
  if (p.role === "operator") throw forbidden(`an operator token of ${p.operator} reads only its member communes; ${key} is not one of them.`);
  throw forbidden(`a ${p.role} token may not read communes.`);
}

/** Changing a commune's label or enrolment: admin, or the operator covering it. */
export function authorizeCommuneWrite(p: Principal, coveringOperator: string | null, key: string): void {
  if (p.role === "admin") return;
  if (p.role === "operator" && coveringOperator === p.operator) return;
  if (p.role === "operator") throw forbidden(`an operator token of ${p.operator} writes only on its member communes; ${key} is not one of them.`);
  throw forbidden(`a ${p.role} token may not change the ledger${p.role === "support" ? " (support reads, it never writes)" : ""}.`);
}

/** A structure's costs and members: admin, support, or that structure's own operator token. */
export function authorizeOperatorRead(p: Principal, operator: string): void {
  if (p.role === "admin" || p.role === "support") return;
  if (p.role === "operator" && p.operator === operator) return;
  if (p.role === "operator") throw forbidden(`an operator token of ${p.operator} reads only its own structure, not ${operator}.`);
  throw forbidden(`a ${p.role} token may not read structures.`);
}

/** The audit log: admin and support read it all, an operator the lines about its communes. */
export function auditScope(p: Principal): "all" | "own-communes" {
  if (p.role === "admin" || p.role === "support") return "all";
  if (p.role === "operator") return "own-communes";
  throw forbidden(`a ${p.role} token may not read the audit log.`);
}

/** Metrics: the platform's (admin, support). */
export function authorizeMetrics(p: Principal): void {
  if (p.role !== "admin" && p.role !== "support") throw forbidden(`a ${p.role} token may not read the metrics (admin or support).`);
}

/** Batch writes: admin and operators (each item is then checked against the structure). */
export function authorizeBatch(p: Principal): void {
  if (p.role !== "admin" && p.role !== "operator") throw forbidden(`a ${p.role} token may not change the ledger${p.role === "support" ? " (support reads, it never writes)" : ""}.`);
}

/** The webhook endpoint takes only webhook tokens. */
export function authorizeWebhookRole(p: Principal): void {
  if (p.role !== "webhook") throw forbidden("this endpoint takes only a webhook token (`domaines token create --role webhook`).");
}

/** A webhook token bound to a structure takes only that structure's events. */
export function authorizeWebhook(p: Principal, operator: string): void {
  authorizeWebhookRole(p);
  if (p.operator !== null && operator !== p.operator) throw forbidden(`this webhook token is bound to ${p.operator}; the event is for ${operator}.`);
}

/** For a route's preValidation: no token, no further look at the request (401 comes before any 400). */
export async function tokenRequired(request: { principal: Principal | null }): Promise<void> {
  requirePrincipal(request.principal);
}

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Commune } from "../communes/schema.js";
import { FailureError, InputError } from "../errors.js";
import { indexLedger, primaryEntries } from "../ledger/entries.js";
import { replaceDurably } from "../ledger/fsync.js";
import { acquireLock } from "../ledger/lock.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { resolveCommune } from "../ledger/resolve.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { parseWith } from "../json-file.js";
import type { Epci } from "../services/epci.js";
import { buildMembership, describeReach, membership, type MembershipIndex } from "../services/membership.js";
import { findOperator, OPERATORS_FILE, operatorsFileSchema, type Operator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";
import { entriesOrNull } from "./services.js";

/**
 * Membership as commands: add and remove an operator's member communes and EPCIs in
 * data/operators.json (or the --operators file), instead of editing it by hand. Every
 * change is validated (schema, one structure per commune), traced in the ledger's audit
 * log (kind membership.add / membership.remove), then written atomically. Removing a
 * member whose commune is still enrolled is refused: its live subscription would go.
 */
export interface MemberView {
  kind: "commune" | "epci";
  /** The commune key, or the EPCI's SIREN. */
  key: string;
  name: string;
  /** Communes: their département; EPCIs: none. */
  departement: string | null;
  population: number | null;
  /** EPCIs: how many member communes they bring. */
  communes: number | null;
  /** Communes: the services they are enrolled in; EPCIs: how many of their communes are enrolled. */
  enrolled: string[] | number;
}

export interface MembersListing {
  operator: { name: string; title: string };
  file: string;
  communes: MemberView[];
  epcis: MemberView[];
  /** Distinct communes covered, directly or through the EPCIs. */
  covered: number;
}

export interface MembershipChangeOutcome {
  operator: string;
  file: string;
  changed: MemberView[];
  /** Already so: nothing to do for these (with why). */
  unchanged: { member: MemberView; why: string }[];
  warnings: string[];
}

type Target = { kind: "commune"; commune: Commune } | { kind: "epci"; epci: Epci };

function operatorsPath(ws: Workspace): string {
  return ws.options.operatorsFile ?? OPERATORS_FILE;
}

function enrolledServices(entries: readonly LedgerEntry[]): Map<string, LedgerEntry["services"]> {
  return new Map(primaryEntries(entries).filter((e) => Object.keys(e.services).length > 0).map((e) => [e.key, e.services]));
}

function communeView(c: Commune, services: Map<string, LedgerEntry["services"]>): MemberView {
  return { kind: "commune", key: c.key, name: c.name, departement: c.departement, population: c.population, communes: null, enrolled: Object.keys(services.get(c.key) ?? {}) };
}

function epciView(e: Epci, services: Map<string, LedgerEntry["services"]>): MemberView {
  return { kind: "epci", key: e.siren, name: e.name, departement: null, population: e.population, communes: e.members.length, enrolled: e.members.filter((m) => services.has(m.key)).length };
}

/** A member query: an EPCI's SIREN, or anything that designates one commune (refused when ambiguous). */
function resolveTarget(ws: Workspace, index: MembershipIndex, entries: readonly LedgerEntry[], query: string): Target {
  const q = query.trim();
  if (/^\d{9}$/.test(q)) {
    const epci = index.epci(q);
    if (epci) return { kind: "epci", epci };
    if (!ws.communeByKey(q)) throw new InputError(`SIREN ${q} is neither a current commune nor an intercommunalité à fiscalité propre (EPCI) of the INSEE data; check it in the SIRENE register.`, "not-found");
  }
  return { kind: "commune", commune: resolveCommune(q, ws.zone(), ws.communes(), ws.labels(), ws.reserved(), indexLedger(entries)) };
}

export async function listMembers(ws: Workspace, options: { operator: string }): Promise<MembersListing & { warnings: string[] }> {
  const operator = findOperator(ws.operators(), options.operator);
  const warnings: string[] = [];
  const services = enrolledServices((await entriesOrNull(ws, warnings)) ?? []);
  const index = membership(ws);
  const communes = operator.members.map((k) => {
    const c = ws.communeByKey(k);
    if (!c) warnings.push(`member ${k} of ${operator.name} is not a current commune (merged or mistyped?): remove it (domaines members remove --operator ${operator.name} ${k}).`);
    return c ? communeView(c, services) : { kind: "commune" as const, key: k, name: "(not a current commune)", departement: null, population: null, communes: null, enrolled: Object.keys(services.get(k) ?? {}) };
  });
  const epcis = operator.epcis.map((s) => epciView(index.epci(s)!, services));
  return { operator: { name: operator.name, title: operator.title }, file: operatorsPath(ws), communes, epcis, covered: index.covered(operator.name).length, warnings };
}

/**
 * Runs one membership change under a lock of the operators file: `change` edits the raw
 * JSON of the operator (its members and epcis arrays) and returns what it did; the result
 * is validated whole before anything is written.
 */
async function changeMembership(
  ws: Workspace,
  meta: TransactionMeta,
  operatorQuery: string,
  kind: "membership.add" | "membership.remove",
  change: (ctx: { operator: Operator; raw: { members: string[]; epcis: string[] }; index: MembershipIndex; entries: readonly LedgerEntry[]; services: Map<string, LedgerEntry["services"]> }) => { changed: MemberView[]; unchanged: { member: MemberView; why: string }[]; notes?: string[]; check?: (next: MembershipIndex) => void },
): Promise<MembershipChangeOutcome> {
  const path = operatorsPath(ws);
  const warnings: string[] = [];
  if ((await entriesOrNull(ws, warnings)) === null) throw new InputError(`${warnings[0]} A membership change is traced in the ledger's audit log: create the ledger directory first.`);
  // The ledger's kind of lock (src/ledger/lock.ts): never taken from a live holder.
  const lock = await acquireLock(`${path}.lock`, "members", `the operators configuration ${path}`);
  try {
    // Read the ledger and the file themselves under the lock (not the workspace's copies):
    // another change may have landed since. (An onboarding running at this very moment is
    // not held off: the Pulumi guard on subscription deletion is the last line.)
    const entries = await ws.store().read();
    const raw = JSON.parse(readFileSync(path, "utf8")) as { operators: { name: string; members?: string[]; epcis?: string[] }[] };
    const current = parseWith(operatorsFileSchema, raw, `operators configuration ${path}`);
    const index = buildMembership(current);
    const operator = findOperator(current, operatorQuery);
    if (operator.directEnrolments) throw new InputError(`operator ${operator.name} holds ANCT's direct enrolments (contract art. 3.3): it covers no commune, so it has no members.`);
    const rawOp = raw.operators.find((o) => o.name === operator.name)!;
    const arrays = { members: [...(rawOp.members ?? [])], epcis: [...(rawOp.epcis ?? [])] };
    const { changed, unchanged, notes = [], check } = change({ operator, raw: arrays, index, entries, services: enrolledServices(entries) });
    warnings.push(...notes);
    if (changed.length === 0) return { operator: operator.name, file: path, changed, unchanged, warnings };
    rawOp.members = arrays.members;
    rawOp.epcis = arrays.epcis;
    const next = parseWith(operatorsFileSchema, raw, `operators configuration ${path} after the change`);
    const nextIndex = buildMembership(next);
    check?.(nextIndex);
    const text = `${JSON.stringify(raw, null, 2)}\n`;
    const sha256 = createHash("sha256").update(text).digest("hex");
    // Traced first, like a ledger transaction: the audit line names the file content it leads to.
    for (const m of changed) {
      await ws.store().recordEvent(meta, { kind, operator: operator.name, member: m.key, memberKind: m.kind, name: m.name, ...(m.communes === null ? {} : { communes: m.communes }), file: path, sha256 });
    }
    try {
      replaceDurably(path, text);
    } catch (err) {
      throw new FailureError(`cannot write the operators configuration ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (the audit log already has the change; run the command again)`, "io");
    }
    return { operator: operator.name, file: path, changed, unchanged, warnings };
  } finally {
    lock.release();
  }
}

/** Adds member communes or EPCIs to an operator. A commune another structure covers, or one ANCT enrolled directly, is refused. */
export async function addMembers(ws: Workspace, meta: TransactionMeta, request: { operator: string; queries: readonly string[] }): Promise<MembershipChangeOutcome> {
  return changeMembership(ws, meta, request.operator, "membership.add", ({ operator, raw, index, entries, services }) => {
    const changed: MemberView[] = [];
    const unchanged: { member: MemberView; why: string }[] = [];
    const problems: string[] = [];
    const notes: string[] = [];
    const directlyEnrolled = (key: string): string[] => Object.entries(services.get(key) ?? {}).filter(([, e]) => e.direct).map(([s]) => s);
    for (const query of request.queries) {
      const t = resolveTarget(ws, index, entries, query);
      if (t.kind === "commune") {
        const c = t.commune;
        const view = communeView(c, services);
        const cov = index.coverage(c.key);
        if (raw.members.includes(c.key) || changed.some((m) => m.key === c.key)) {
          unchanged.push({ member: view, why: `already a member of ${operator.name}` });
          continue;
        }
        if (cov && cov.operator.name !== operator.name) problems.push(`${c.name} (${c.departement}) is covered by ${cov.operator.name} (${describeReach(cov)}); a commune belongs to one structure at most: remove it there first`);
        const direct = directlyEnrolled(c.key);
        if (direct.length > 0) problems.push(`${c.name} (${c.departement}) is enrolled directly by ANCT in ${direct.join(", ")} (contract art. 3.3): its subscription is ANCT's; offboard it first (domaines offboard ${c.key} --services ${direct.join(",")}), then add it and onboard it again`);
        raw.members.push(c.key);
        changed.push(view);
        if (cov?.operator.name === operator.name) notes.push(`${c.name} is also reached through ${cov.epcis.map((e) => e.name).join(", ")}: it counts once in the fee.`);
      } else {
        const e = t.epci;
        const view = epciView(e, services);
        if (raw.epcis.includes(e.siren) || changed.some((m) => m.key === e.siren)) {
          unchanged.push({ member: view, why: `already a member of ${operator.name}` });
          continue;
        }
        const taken = e.members.flatMap((m) => {
          const cov = index.coverage(m.key);
          return cov && cov.operator.name !== operator.name ? [`${m.name} (${cov.operator.name})`] : [];
        });
        if (taken.length > 0) problems.push(`EPCI ${e.name} (${e.siren}) has communes another structure covers: ${taken.slice(0, 10).join(", ")}${taken.length > 10 ? `, … (${taken.length} in all)` : ""}; a commune belongs to one structure at most`);
        const direct = e.members.filter((m) => directlyEnrolled(m.key).length > 0).map((m) => m.name);
        if (direct.length > 0) problems.push(`EPCI ${e.name} (${e.siren}) has communes ANCT enrolled directly (contract art. 3.3): ${direct.join(", ")}; offboard them first`);
        raw.epcis.push(e.siren);
        changed.push(view);
        const listed = e.members.filter((m) => raw.members.includes(m.key)).map((m) => m.name);
        if (listed.length > 0) notes.push(`${listed.join(", ")} ${listed.length > 1 ? "are" : "is"} also reached through ${e.name}: ${listed.length > 1 ? "each counts" : "it counts"} once in the fee.`);
      }
    }
    if (problems.length > 0) throw new InputError(`nothing changed in ${operator.name}'s members:\n  ${problems.join("\n  ")}`, "conflict");
    return { changed, unchanged, notes };
  });
}

/** Removes member communes or EPCIs; refused while a commune that would lose its structure is enrolled (its live subscription would be deleted). */
export async function removeMembers(ws: Workspace, meta: TransactionMeta, request: { operator: string; queries: readonly string[] }): Promise<MembershipChangeOutcome> {
  return changeMembership(ws, meta, request.operator, "membership.remove", ({ operator, raw, index, entries, services }) => {
    const changed: MemberView[] = [];
    const unchanged: { member: MemberView; why: string }[] = [];
    for (const query of request.queries) {
      const t = resolveTarget(ws, index, entries, query);
      if (t.kind === "commune") {
        const c = t.commune;
        const view = communeView(c, services);
        if (!raw.members.includes(c.key)) {
          if (changed.some((m) => m.key === c.key)) continue;
          const cov = index.coverage(c.key);
          if (cov?.operator.name === operator.name) throw new InputError(`${c.name} (${c.departement}) is not listed itself in ${operator.name}: it is ${describeReach(cov)}, and an EPCI's communes come and go with the EPCI.`, "not-found");
          throw new InputError(`${c.name} (${c.departement}) is not a member of ${operator.name}${cov ? ` (it is covered by ${cov.operator.name})` : ""}.`, "not-found");
        }
        raw.members.splice(raw.members.indexOf(c.key), 1);
        changed.push(view);
      } else {
        const e = t.epci;
        if (!raw.epcis.includes(e.siren)) {
          if (changed.some((m) => m.key === e.siren)) continue;
          throw new InputError(`EPCI ${e.name} (${e.siren}) is not a member of ${operator.name}.`, "not-found");
        }
        raw.epcis.splice(raw.epcis.indexOf(e.siren), 1);
        changed.push(epciView(e, services));
      }
    }
    const check = (next: MembershipIndex): void => {
      const losing = index.covered(operator.name).filter(({ key }) => next.coverage(key)?.operator.name !== operator.name);
      const enrolled = losing.flatMap(({ key }) => {
        const s = Object.entries(services.get(key) ?? {}).filter(([, e]) => !e.direct).map(([name]) => name);
        return s.length > 0 ? [`${ws.communeByKey(key)?.name ?? key} (${key}): ${s.join(", ")}`] : [];
      });
      if (enrolled.length > 0) {
        const shown = enrolled.slice(0, 20).join("\n  ");
        throw new FailureError(`refused, nothing changed: removing ${changed.map((m) => m.name).join(", ")} from ${operator.name} would delete the live Espace Opérateur subscription(s) of ${enrolled.length} enrolled commune(s):\n  ${shown}${enrolled.length > 20 ? "\n  …" : ""}\nOffboard them first (domaines offboard <commune>), then remove the member.`, "refused");
      }
    };
    return { changed, unchanged, check };
  });
}

/** "--operator is required", with the known operators, for the commands that take one. */
export function requireOperatorOption(value: string | undefined, ws: Workspace): string {
  if (value !== undefined) return value;
  const known = ws.operators().operators.map((o) => o.name).join(", ") || "none";
  throw new InputError(`--operator is required: which structure's members (known operators: ${known}), e.g. --operator cdg48.`);
}

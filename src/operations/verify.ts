import { makeResolver, query, type Answer } from "../dns/resolve.js";
import { compareAnswers, observedRecords, queriesFor, type RecordCheck, type VerifyInput, type VerifyReport } from "../dns/verify.js";
import { askWire, type WireAnswer } from "../dns/wire.js";
import type { OwnerRecords } from "../records/model.js";
import { FailureError, InputError, quoteInput } from "../errors.js";
import punycode from "punycode/punycode.js";
import { normalizeQuery } from "../naming/query.js";
import type { DesiredZone } from "../records/model.js";
import type { Workspace } from "../workspace.js";
import { validatedZone } from "./dns.js";

export interface VerifyOutcome extends VerifyReport {
  label: string;
  state: string;
  resolver: string;
  /** For a delegated label: where its zone lives and which servers were asked on each side of the cut. */
  delegation: { nameservers: string[]; parent: string; child: string } | null;
}

/** The commune label a typed name designates: <label>.<zone>, its IDN form, or the bare label. */
export function communeLabelOf(raw: string, zone: string): string {
  const q = normalizeQuery(raw, zone);
  // An IDN (saint-rémy, xn--saint-rmy-h4a) is another DNS name than the ASCII label its
  // name gives (saint-remy): checking the latter silently would answer another question.
  const typed = q.kind === "fqdn" ? q.ascii.split(".")[0]! : q.kind === "label-or-name" && q.unicode !== q.ascii ? punycodeOf(q.unicode) : null;
  if (typed !== null && typed !== q.value && !q.subLabels) {
    throw new InputError(
      `${quoteInput(raw)} is the IDN ${q.unicode.split(".")[0]}.${zone} (A-label ${typed}.${zone}); commune domains are ASCII, so no commune's records are published there. The name gives the label ${q.value}: run \`domaines verify ${q.value}.${zone}\` (and \`domaines check ${q.value}\` for which commune holds it).`,
    );
  }
  if (q.kind === "fqdn" && !q.subLabels) return q.value;
  if (q.kind === "label-or-name" && q.ascii === q.unicode) return q.value;
  throw new InputError(`${quoteInput(raw)} is not a commune domain; give <label>.${zone} (e.g. mende.${zone}).`);
}

function punycodeOf(label: string): string {
  return punycode.toASCII(label);
}

/** What the model says this label must serve; a label nobody holds must match the zone's wildcard. */
export function expectationFor(desired: DesiredZone, label: string): { input: VerifyInput; state: string } {
  const fqdn = `${label}.${desired.zone}`;
  const owner = desired.owners.find((o) => o.label === label);
  // A label the model publishes nothing for (nobody holds it, or an allocated commune without service under wildcard coverage) must answer as the zone's wildcard.
  if (owner && (owner.records.length > 0 || owner.pending.length > 0)) {
    return { input: { fqdn, zone: desired.zone, expected: owner.records, pending: owner.pending.map((p) => ({ purpose: p.purpose, type: p.type, reason: p.reason })) }, state: owner.state };
  }
  const wildcard = desired.zoneRecords.filter((r) => r.name === "*").map((r) => ({ ...r, name: label, purpose: r.purpose }));
  return { input: { fqdn, zone: desired.zone, expected: wildcard, pending: [] }, state: owner ? owner.state : "unallocated" };
}

/**
 * Asks a DNS server (`server` = HOST:PORT as parseResolverOption gives it, or the system's) and
 * compares with the model. A delegated label is checked on both sides of the cut: the parent
 * (`server`) must refer to the ledger's NS set (and DS), the child zone (`childServer`, or the
 * first of its name servers that resolves) must serve the commune's records.
 */
export async function verifyDomain(ws: Workspace, domain: string, server?: string, childServer?: string): Promise<VerifyOutcome> {
  const label = communeLabelOf(domain, ws.zone());
  const desired = validatedZone(ws, await ws.store().read());
  const owner = desired.owners.find((o) => o.label === label);
  if (owner?.delegation) return verifyDelegated(desired, owner, server, childServer);
  if (childServer !== undefined) throw new InputError(`--child-resolver goes with a delegated label; ${label}.${desired.zone} is not delegated (its records are in ${desired.zone}).`);
  const { input, state } = expectationFor(desired, label);
  const serverLabel = server ?? "(system resolver)";
  const answers = await askAll(input, server, serverLabel);
  return { label, state, resolver: serverLabel, delegation: null, ...compareAnswers(input, answers) };
}

async function askAll(input: VerifyInput, server: string | undefined, serverLabel: string): Promise<Map<string, Answer>> {
  const resolver = makeResolver(server);
  const answers = new Map<string, Answer>();
  await Promise.all(queriesFor(input).map(async (q) => answers.set(`${q.fqdn}\t${q.type}`, await query(resolver, q, serverLabel))));
  return answers;
}

async function verifyDelegated(desired: DesiredZone, owner: OwnerRecords, server: string | undefined, childServer: string | undefined): Promise<VerifyOutcome> {
  const delegation = owner.delegation!;
  const fqdn = owner.fqdn;
  const parent = server ?? (await firstAddress(desired.authority.filter((r) => r.type === "NS").map((r) => r.value), `the name servers of ${desired.zone}`));
  const child = childServer ?? (await firstAddress(delegation.nameservers, `the name servers ${fqdn} is delegated to`));
  const [ns, ds] = await Promise.all([askWire(parent, fqdn, "NS"), askWire(parent, fqdn, "DS")]);
  const parentChecks = [
    ...compareSet(fqdn, "NS", owner.records.filter((r) => r.type === "NS"), referralNs(ns, fqdn), parentBlame(ns, desired.zone, parent)),
    ...compareSet(fqdn, "DS", owner.records.filter((r) => r.type === "DS"), ds.authoritative ? ds.answer.filter((r) => r.type === "DS").map((r) => r.data) : [], `the parent zone ${desired.zone} (asked at ${parent}) is wrong: its DS set is the ledger's only after the registrar or DNS host publishes it`),
  ];
  const input: VerifyInput = { fqdn, zone: desired.zone, expected: delegation.child, pending: owner.pending.map((p) => ({ purpose: p.purpose, type: p.type, reason: p.reason })) };
  const childReport = compareAnswers(input, await askAll(input, child, child));
  const childBlame = `the child zone ${fqdn} (asked at ${child}) is wrong: fix it where it is hosted (${delegation.nameservers.join(", ")}), or move the commune's records into ${desired.zone} with \`domaines undelegate\``;
  const childChecks = childReport.records.map((r): RecordCheck => ({ ...r, side: "child", detail: r.status === "correct" || r.status === "pending" ? r.detail : `${r.detail}; ${childBlame}` }));
  const records = [...parentChecks, ...childChecks, ...observedRecords(input, await askAll({ ...input, expected: [] }, child, child))];
  const failures = parentChecks.filter((r) => r.status !== "correct").length + childReport.failures;
  return { label: owner.label, state: owner.state, resolver: parent, delegation: { nameservers: delegation.nameservers, parent, child }, fqdn, records, criteria: childReport.criteria, ok: failures === 0, failures };
}

/** The NS set the parent refers to: a referral's authority section (or an answer, from a server authoritative for both). */
function referralNs(a: WireAnswer, fqdn: string): string[] {
  const owner = `${fqdn}.`;
  return [...a.answer, ...a.authority].filter((r) => r.type === "NS" && r.name === owner).map((r) => r.data);
}

function parentBlame(a: WireAnswer, zone: string, parent: string): string {
  const why = a.rcode !== "NOERROR" ? `it answers ${a.rcode}` : a.authoritative && a.authority.some((r) => r.type === "SOA") ? "it answers authoritatively with no NS there (no zone cut)" : "its NS set is another";
  return `the parent zone ${zone} (asked at ${parent}) is wrong: ${why}; \`pulumi up\` on the commune's stack publishes the ledger's NS set`;
}

function compareSet(fqdn: string, type: "NS" | "DS", wanted: readonly { value: string; purpose: string }[], found: string[], blame: string): RecordCheck[] {
  const norm = (v: string) => v.toLowerCase().replace(/\.$/, "");
  const have = new Set(found.map(norm));
  const checks: RecordCheck[] = wanted.map((w) => {
    const ok = have.has(norm(w.value));
    const status = ok ? "correct" : found.length > 0 ? "incorrect" : "missing";
    return { fqdn, type, purpose: w.purpose, expected: w.value, found, status, detail: ok ? "served by the parent as the ledger says" : `${found.length > 0 ? `served with other values: ${found.join(" | ")}` : "not served by the parent"}; ${blame}`, side: "parent" };
  });
  const wantedSet = new Set(wanted.map((w) => norm(w.value)));
  for (const f of found) if (!wantedSet.has(norm(f)) && !checks.some((c) => c.status === "incorrect")) checks.push({ fqdn, type, purpose: null, expected: null, found: [f], status: "unexpected", detail: `served but not in the ledger; ${blame}`, side: "parent" });
  return checks;
}

/** HOST:53 of the first of these name servers that resolves (through the system's resolver). */
async function firstAddress(hosts: readonly string[], what: string): Promise<string> {
  const resolver = makeResolver();
  for (const h of hosts) {
    try {
      const [ip] = await resolver.resolve4(h.replace(/\.$/, ""));
      if (ip) return `${ip}:53`;
    } catch {
      // the next one
    }
  }
  throw new FailureError(`none of ${what} (${hosts.join(", ")}) resolves to an address; give the server to ask (--resolver for the parent, --child-resolver for the child zone).`);
}

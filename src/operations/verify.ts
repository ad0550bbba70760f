import { makeResolver, query, type Answer } from "../dns/resolve.js";
import { compareAnswers, queriesFor, type VerifyInput, type VerifyReport } from "../dns/verify.js";
import { InputError, quoteInput } from "../errors.js";
import punycode from "punycode/punycode.js";
import { normalizeQuery } from "../naming/query.js";
import type { DesiredZone } from "../records/model.js";
import type { Workspace } from "../workspace.js";
import { validatedZone } from "./dns.js";

export interface VerifyOutcome extends VerifyReport {
  label: string;
  state: string;
  resolver: string;
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

/** Asks a DNS server (`server` = HOST:PORT as parseResolverOption gives it, or the system's) and compares with the model. */
export async function verifyDomain(ws: Workspace, domain: string, server?: string): Promise<VerifyOutcome> {
  const label = communeLabelOf(domain, ws.zone());
  const desired = validatedZone(ws, await ws.store().read());
  const { input, state } = expectationFor(desired, label);
  const resolver = makeResolver(server);
  const serverLabel = server ?? "(system resolver)";
  const answers = new Map<string, Answer>();
  await Promise.all(queriesFor(input).map(async (q) => answers.set(`${q.fqdn}\t${q.type}`, await query(resolver, q, serverLabel))));
  return { label, state, resolver: serverLabel, ...compareAnswers(input, answers) };
}

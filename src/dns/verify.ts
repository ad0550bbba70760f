import { checkDmarc, checkSpf, parseDmarc } from "../records/mail-policies.js";
import { fqdnOf } from "../records/validate.js";
import type { DesiredRecord, RecordType } from "../records/types.js";
import { canonicalIPv6, type Answer, type Query } from "./resolve.js";

/**
 * Compares what a DNS server answers with the model, record by record, and evaluates the
 * RPNT mail criteria (2.3–2.7) on the answers. Pure: the answers come in as values.
 */

/** `observed`: served by a delegated label's child zone where the model expects nothing (reported, not failed). */
export type RecordStatus = "correct" | "incorrect" | "missing" | "unexpected" | "error" | "pending" | "observed";

export interface RecordCheck {
  fqdn: string;
  type: RecordType;
  purpose: string | null;
  expected: string | null;
  found: string[];
  status: RecordStatus;
  detail: string;
  /** For a delegated label: whether the parent zone (NS, DS) or the child zone serves this RRset, i.e. which side is wrong on a failure. */
  side?: "parent" | "child";
}

export type CriterionStatus = "pass" | "fail" | "not-applicable" | "not-checked";

export interface CriterionCheck {
  id: string;
  title: string;
  status: CriterionStatus;
  /** Failing it fails `verify` (exit 1). */
  mandatory: boolean;
  detail: string;
}

export interface VerifyInput {
  fqdn: string;
  zone: string;
  /** The model's records for this label (names relative to the zone). */
  expected: readonly DesiredRecord[];
  /** Purposes the model cannot publish yet (DKIM pending). */
  pending: readonly { purpose: string; type: RecordType; reason: string }[];
}

export interface VerifyReport {
  fqdn: string;
  records: RecordCheck[];
  criteria: CriterionCheck[];
  ok: boolean;
  failures: number;
}

const key = (fqdn: string, type: RecordType) => `${fqdn}\t${type}`;

/** Every RRset `verify` needs: the model's, plus what the RPNT criteria read. */
export function queriesFor(input: VerifyInput): Query[] {
  const seen = new Map<string, Query>();
  const add = (fqdn: string, type: RecordType) => seen.set(key(fqdn, type), { fqdn, type });
  for (const r of input.expected) add(fqdnOf(r.name, input.zone), r.type);
  add(input.fqdn, "MX");
  add(input.fqdn, "TXT");
  add(`_dmarc.${input.fqdn}`, "TXT");
  add(input.fqdn, "A");
  add(input.fqdn, "AAAA");
  return [...seen.values()];
}

export function compareAnswers(input: VerifyInput, answers: ReadonlyMap<string, Answer>): VerifyReport {
  const records: RecordCheck[] = [];
  const byRRset = new Map<string, DesiredRecord[]>();
  for (const r of input.expected) {
    const k = key(fqdnOf(r.name, input.zone), r.type);
    byRRset.set(k, [...(byRRset.get(k) ?? []), r]);
  }
  for (const [k, wanted] of byRRset) {
    const [fqdn, type] = k.split("\t") as [string, RecordType];
    const answer = answers.get(k) ?? { status: "error", code: "NOT-ASKED" };
    const found = answer.status === "ok" ? answer.values : [];
    const matched = new Set<number>();
    for (const r of wanted) {
      const want = comparable(type, r.value);
      const i = found.findIndex((f, idx) => !matched.has(idx) && comparable(type, f) === want);
      if (i >= 0) matched.add(i);
      const status: RecordStatus = answer.status === "error" ? "error" : i >= 0 ? "correct" : found.length > 0 ? "incorrect" : "missing";
      records.push({
        fqdn,
        type,
        purpose: r.purpose,
        expected: r.value,
        found,
        status,
        detail: describe(status, answer, found),
      });
    }
    // A value the model does not have is drift: something wrote the zone another way.
    found.forEach((f, idx) => {
      if (matched.has(idx)) return;
      const blamed = records.some((c) => c.fqdn === fqdn && c.type === type && c.status === "incorrect");
      if (!blamed) records.push({ fqdn, type, purpose: null, expected: null, found: [f], status: "unexpected", detail: "served but not in the model" });
    });
  }
  for (const p of input.pending) {
    records.push({ fqdn: input.fqdn, type: p.type, purpose: p.purpose, expected: null, found: [], status: "pending", detail: p.reason });
  }

  const criteria = rpnt(input, answers);
  const failures = records.filter((r) => r.status !== "correct" && r.status !== "pending" && r.status !== "observed").length + criteria.filter((c) => c.mandatory && c.status === "fail").length;
  return { fqdn: input.fqdn, records, criteria, ok: failures === 0, failures };
}

/**
 * What a delegated label's child zone serves at the RRsets `verify` asked for but the model
 * has no expectation about (a commune not enrolled keeps its legacy mail there): listed so
 * that the report shows the child's mail records, never a failure.
 */
export function observedRecords(input: VerifyInput, answers: ReadonlyMap<string, Answer>): RecordCheck[] {
  const expected = new Set(input.expected.map((r) => key(fqdnOf(r.name, input.zone), r.type)));
  return queriesFor(input).flatMap((q) => {
    const a = answers.get(key(q.fqdn, q.type));
    if (expected.has(key(q.fqdn, q.type)) || a?.status !== "ok") return [];
    return [{ fqdn: q.fqdn, type: q.type, purpose: null, expected: null, found: a.values, status: "observed" as const, detail: "served by the child zone; the model expects nothing here (no service enrolled)", side: "child" as const }];
  });
}

function describe(status: RecordStatus, answer: Answer, found: string[]): string {
  switch (status) {
    case "correct":
      return "served as the model says";
    case "incorrect":
      return `served with other values: ${found.join(" | ")}`;
    case "missing":
      return answer.status === "nxdomain" ? "the name does not exist (NXDOMAIN)" : "no record of this type at this name";
    default:
      return answer.status === "error" ? `the server answered ${answer.code}` : "";
  }
}

function comparable(type: RecordType, value: string): string {
  if (type === "TXT" || type === "CAA") return value;
  if (type === "AAAA") return canonicalIPv6(value);
  return value.toLowerCase();
}

/** RPNT (Référentiel de la présence numérique des territoires) mail criteria, on what is served. */
function rpnt(input: VerifyInput, answers: ReadonlyMap<string, Answer>): CriterionCheck[] {
  const receivesMail = input.expected.some((r) => r.type === "MX" && fqdnOf(r.name, input.zone) === input.fqdn && !/^0 \.$/.test(r.value));
  const values = (fqdn: string, type: RecordType) => {
    const a = answers.get(key(fqdn, type));
    return a?.status === "ok" ? a.values : [];
  };
  const na = (id: string, title: string): CriterionCheck => ({ id, title, status: "not-applicable", mandatory: false, detail: "this label receives no mail (null MX): the criterion does not apply" });
  const check = (id: string, title: string, pass: boolean, detail: string): CriterionCheck => ({ id, title, status: pass ? "pass" : "fail", mandatory: true, detail });
  const titles = {
    "2.3": "mail domain = website domain",
    "2.4": "MX records present",
    "2.5": "SPF record present",
    "2.6": "DMARC record present",
    "2.7": "DMARC policy quarantine or reject, pct 100",
    "2.8": "MX hosted in the EU",
  };
  if (!receivesMail) return Object.entries(titles).map(([id, t]) => na(id, t));

  const mx = values(input.fqdn, "MX").filter((v) => !/^0 \.$/.test(v));
  const spf = values(input.fqdn, "TXT").filter((v) => /^v=spf1( |$)/i.test(v));
  const dmarc = values(`_dmarc.${input.fqdn}`, "TXT").filter((v) => parseDmarc(v) !== null);
  const web = [...values(input.fqdn, "A"), ...values(input.fqdn, "AAAA")];
  const spfProblems = spf.length === 1 ? checkSpf(spf[0]!) : [];
  // RPNT 2.7 reads the policy and pct only (alignment is the model's own rule, checked record by record).
  const dmarcProblems = dmarc.length === 1 ? checkDmarc(dmarc[0]!).filter((p) => p.rule === "dmarc-policy" || p.rule === "dmarc-pct") : [];
  return [
    check("2.3", titles["2.3"], web.length > 0, web.length > 0 ? `${input.fqdn} serves the website (${web.join(", ")})` : `${input.fqdn} has no A/AAAA: the website is elsewhere than the mail domain`),
    check("2.4", titles["2.4"], mx.length > 0, mx.length > 0 ? `MX: ${mx.join(", ")}` : "no MX (other than a null MX)"),
    check(
      "2.5",
      titles["2.5"],
      spf.length === 1 && spfProblems.length === 0,
      spf.length === 0 ? "no v=spf1 TXT record" : spf.length > 1 ? `${spf.length} SPF records (receivers return permerror)` : spfProblems.length > 0 ? spfProblems.map((p) => p.why).join("; ") : spf[0]!,
    ),
    check("2.6", titles["2.6"], dmarc.length === 1, dmarc.length === 1 ? dmarc[0]! : dmarc.length === 0 ? `no v=DMARC1 record at _dmarc.${input.fqdn}` : `${dmarc.length} DMARC records (receivers ignore them all)`),
    check("2.7", titles["2.7"], dmarc.length === 1 && dmarcProblems.length === 0, dmarc.length !== 1 ? "no single DMARC record to read" : dmarcProblems.length > 0 ? dmarcProblems.map((p) => p.why).join("; ") : "policy and pct as required"),
    { id: "2.8", title: titles["2.8"], status: "not-checked", mandatory: false, detail: `needs the MX hosts' location (${mx.join(", ") || "none"}); not decidable from DNS` },
  ];
}

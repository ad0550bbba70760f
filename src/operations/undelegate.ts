import { FailureError, InputError } from "../errors.js";
import { indexLedger } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { desiredZone } from "../records/model.js";
import type { Workspace } from "../workspace.js";
import { communeLabelOf } from "./verify.js";

/**
 * `domaines undelegate`: a delegated label's records move back into the parent zone. The
 * parent then stops referring to the child zone, so whatever the child served (the people
 * plugin's OX mail) stops being seen: a deletion, planned and guarded as one. A report
 * first (what goes, what comes); `apply` writes the ledger (delegation dropped,
 * undelegatedAt recorded: what explains the NS records going to the deletion guard). A
 * label that would be left without mail (no Messages enrolment: the no-mail set) is
 * refused unless `acceptNoMail` says so.
 */
export interface UndelegateRecord {
  name: string;
  type: string;
  value: string;
}

export interface UndelegateOutcome {
  label: string;
  fqdn: string;
  holder: string | null;
  nameservers: string[];
  /** What the parent stops publishing (the NS set, DS). */
  removes: UndelegateRecord[];
  /** What the parent publishes at the label instead. */
  adds: UndelegateRecord[];
  /** The label would receive no mail any more (its records: the no-mail set). */
  endsMail: boolean;
  applied: boolean;
  tx: string | null;
  warnings: string[];
}

export async function undelegate(ws: Workspace, meta: TransactionMeta, request: { domain: string; apply: boolean; acceptNoMail: boolean }): Promise<UndelegateOutcome> {
  const zone = ws.zone();
  const label = communeLabelOf(request.domain, zone);
  const config = ws.config();
  const dkim = ws.dkim();
  const now = new Date().toISOString();
  const update = await ws.store().transact(meta, (entries) => {
    const entry = indexLedger(entries).byLabel.get(label);
    if (!entry) throw new InputError(`${label}.${zone} is not in the ledger; \`domaines check ${label}\` says what it is.`, "not-found");
    if (!entry.delegation) throw new InputError(`${label}.${zone} is not delegated: its records are already in ${zone} (\`domaines check ${label}\`).`, "conflict");
    const { delegation, ...rest } = entry;
    const after: LedgerEntry = { ...rest, updatedAt: now, undelegatedAt: now };
    const records = (e: LedgerEntry) => desiredZone([e], config, dkim).owners.find((o) => o.label === label)!.records.map((r) => ({ name: r.name, type: r.type, value: r.value }));
    const adds = records(after);
    const endsMail = !adds.some((r) => r.type === "MX" && r.name === label && r.value !== "0 .");
    const outcome: UndelegateOutcome = {
      label,
      fqdn: `${label}.${zone}`,
      holder: entry.name ?? entry.key,
      nameservers: delegation.nameservers,
      removes: records(entry),
      adds,
      endsMail,
      applied: false,
      tx: null,
      warnings: [],
    };
    if (endsMail) outcome.warnings.push(`${label}.${zone} would receive no mail once undelegated: it is enrolled in no mail service, so ${zone} would publish the no-mail set where the child zone at ${delegation.nameservers.join(", ")} serves its mail today`);
    if ((delegation.ds ?? []).length > 0) outcome.warnings.push(`the child zone is signed: its DS record must also be withdrawn where the parent's DNSSEC is managed (OVH's zone records have no DS type)`);
    if (request.apply && endsMail && !request.acceptNoMail) {
      throw new FailureError(`refusing to undelegate ${label}.${zone}: its mail would end (${outcome.warnings[0]}). Enrol it in Messages first (\`domaines onboard ${label} --services messages\`), or pass --accept-no-mail if no mail is meant to reach it.`, "refused");
    }
    return { put: request.apply ? [after] : [], result: outcome };
  });
  return { ...update.result, applied: request.apply, tx: update.tx };
}

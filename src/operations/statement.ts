import { InputError } from "../errors.js";
import { primaryEntries } from "../ledger/entries.js";
import { parseDay, parseQuadrimestre, parisDay } from "../services/calendar.js";
import { isServiceName, type ServiceName } from "../services/catalog.js";
import { partnershipFee } from "../services/fee.js";
import { membership, subscriptionHolder } from "../services/membership.js";
import { pricesFor } from "../services/prices.js";
import { computeStatement, type Statement } from "../services/statement.js";
import { usageHistoryFor } from "../services/usage-history.js";
import type { Workspace } from "../workspace.js";
import { billedOperator, entriesOrNull, feeCommunes } from "./services.js";

/** The four-monthly statement of a structure ("avis des sommes à payer", art. 8.6), from the ledger, memberships and usage history. */
export async function quadrimestreStatement(ws: Workspace, options: { operator: string; quadrimestre: string; issuedOn?: string }): Promise<{ statement: Statement; warnings: string[] }> {
  const warnings: string[] = [];
  const period = parseQuadrimestre(options.quadrimestre);
  const issuedOn = options.issuedOn === undefined ? parisDay(new Date()) : parseDay(options.issuedOn, "--issued");
  const operator = billedOperator(ws, options.operator, warnings);
  if (!operator.billing) {
    throw new InputError(`operator ${operator.name} has no "billing" mentions in data/operators.json; the statement needs them (art. 8.6): recipient, codeServiceExecutant, contractNumber, ejNumber (and paymentDelayDays, 30 by default).`);
  }
  const prices = pricesFor(ws.prices(), period.year);
  const { members } = feeCommunes(ws, operator, warnings);
  const entries = (await entriesOrNull(ws, warnings)) ?? [];
  const index = membership(ws);
  const enrolled: { key: string; name: string; service: ServiceName; since: string }[] = [];
  for (const e of primaryEntries(entries)) {
    for (const [service, enrolment] of Object.entries(e.services)) {
      if (!isServiceName(service) || subscriptionHolder(index, e.key, enrolment).operator?.name !== operator.name) continue;
      enrolled.push({ key: e.key, name: ws.communeByKey(e.key)?.name ?? e.name ?? e.key, service, since: parisDay(new Date(enrolment.enrolledAt)) });
    }
  }
  const history = usageHistoryFor(ws.store());
  const samples = (await history.read({ from: period.from, to: period.to })).filter((s) => s.operator === operator.name);
  const statement = computeStatement({
    operator,
    billing: operator.billing,
    period,
    prices,
    issuedOn,
    fee: partnershipFee(members, prices),
    enrolled,
    samples,
    nameOf: (key) => ws.communeByKey(key)?.name ?? key,
  });
  return { statement, warnings: [...warnings, ...statement.warnings] };
}

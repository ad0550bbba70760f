import type { Commune } from "../communes/schema.js";
import { InputError } from "../errors.js";
import type { Enrolment } from "../ledger/schema.js";
import type { Workspace } from "../workspace.js";
import { loadEpcis, type Epci, type EpciData } from "./epci.js";
import { directOperator, type Operator, type OperatorsFile } from "./operators.js";

/**
 * Who covers which commune: the one place that reads the structures' memberships. A
 * commune is covered by a mutualisation structure when it is one of its members, or a
 * member commune of one of its member intercommunalités (EPCI à fiscalité propre), or
 * both (it then counts once). A commune belongs to at most one structure. Desired
 * subscriptions, quotas, the fee, the statement, the open dataset and the server's
 * authorization all ask here.
 */
export interface EpciRef {
  siren: string;
  name: string;
  /** The EPCI's population municipale (INSEE). */
  population: number;
}

export interface Coverage {
  operator: Operator;
  /** Listed itself among the operator's members. */
  direct: boolean;
  /** The operator's member EPCIs the commune belongs to (one at most in the INSEE data). */
  epcis: EpciRef[];
}

/** How a commune is reached, in one word for tables and JSON. */
export type Reach = "member" | "epci" | "member+epci";

export function reachOf(c: Coverage): Reach {
  return c.direct ? (c.epcis.length > 0 ? "member+epci" : "member") : "epci";
}

/** The same in words: "member directly and through CC Coeur de Lozère". */
export function describeReach(c: Coverage): string {
  const through = c.epcis.map((e) => e.name).join(", ");
  if (c.direct) return c.epcis.length > 0 ? `member directly and through ${through}` : "member directly";
  return `member through ${through}`;
}

export function epciRef(e: Epci): EpciRef {
  return { siren: e.siren, name: e.name, population: e.population };
}

export class MembershipIndex {
  constructor(
    readonly operators: OperatorsFile,
    private readonly byCommune: ReadonlyMap<string, Coverage>,
    private readonly epciData: () => EpciData,
  ) {}

  /** The structure covering this commune (by commune key), or null. */
  coverage(communeKey: string): Coverage | null {
    return this.byCommune.get(communeKey) ?? null;
  }

  /** Every commune key this operator covers, direct members first, then EPCI members, each once. */
  covered(operatorName: string): { key: string; coverage: Coverage }[] {
    return [...this.byCommune].filter(([, c]) => c.operator.name === operatorName).map(([key, coverage]) => ({ key, coverage }));
  }

  /** An EPCI of the data by SIREN (null when the SIREN is no EPCI à fiscalité propre). */
  epci(siren: string): Epci | null {
    return this.epciData().bySiren.get(siren) ?? null;
  }

  /** The direct-enrolment operator (ANCT), if configured. */
  directOperator(): Operator | null {
    return directOperator(this.operators);
  }
}

/**
 * Indexes the memberships of an operators file. A commune reached by two structures
 * (listed in one, member of an EPCI of another) and an EPCI the data does not know are
 * refused, naming the fix: everything that reads memberships would otherwise disagree.
 * The EPCI data is read only when some operator lists an EPCI.
 */
export function buildMembership(operators: OperatorsFile, epcis: () => EpciData = () => loadEpcis()): MembershipIndex {
  const byCommune = new Map<string, Coverage>();
  const conflicts: string[] = [];
  const reach = (key: string, operator: Operator, how: { direct: true } | { epci: EpciRef }): void => {
    const known = byCommune.get(key);
    if (known && known.operator.name !== operator.name) {
      const was = known.direct ? "directly" : `through EPCI ${known.epcis.map((e) => `${e.name} (${e.siren})`).join(", ")}`;
      const now = "direct" in how ? "directly" : `through EPCI ${how.epci.name} (${how.epci.siren})`;
      conflicts.push(`commune ${key} is covered by ${known.operator.name} ${was} and by ${operator.name} ${now}`);
      return;
    }
    const c = known ?? { operator, direct: false, epcis: [] };
    if ("direct" in how) c.direct = true;
    else c.epcis.push(how.epci);
    byCommune.set(key, c);
  };
  for (const op of operators.operators) for (const key of op.members) reach(key, op, { direct: true });
  for (const op of operators.operators) {
    if (op.epcis.length === 0) continue;
    const data = epcis();
    for (const siren of op.epcis) {
      const e = data.bySiren.get(siren);
      if (!e) throw new InputError(`operator ${op.name} lists EPCI ${siren}, which is no intercommunalité à fiscalité propre in ${data.source}; fix its "epcis" (domaines members remove --operator ${op.name} ${siren}).`);
      for (const m of e.members) reach(m.key, op, { epci: epciRef(e) });
    }
  }
  if (conflicts.length > 0) {
    const shown = conflicts.slice(0, 10).join("\n  ");
    throw new InputError(`a commune belongs to at most one mutualisation structure, but in the operators configuration:\n  ${shown}${conflicts.length > 10 ? `\n  … and ${conflicts.length - 10} more` : ""}\nRemove it from one of them (domaines members remove).`, "conflict");
  }
  return new MembershipIndex(operators, byCommune, epcis);
}

const indexes = new WeakMap<OperatorsFile, MembershipIndex>();

/** The membership index of the workspace's operators file, built once. */
export function membership(ws: Workspace): MembershipIndex {
  const operators = ws.operators();
  let index = indexes.get(operators);
  if (!index) {
    index = buildMembership(operators);
    indexes.set(operators, index);
  }
  return index;
}

/**
 * The structure covering a commune (by commune key: SIREN or insee:<code>), directly or
 * through which EPCI; null when none does (the commune can then only be enrolled
 * directly by ANCT). For the HTTP server's authorization: a structure's token may act on
 * the communes it covers.
 */
export function coveringOperator(ws: Workspace, communeKey: string): Coverage | null {
  return membership(ws).coverage(communeKey);
}

/** The current communes an operator covers, and the covered keys the commune data does not know (merged, mistyped, another COG year). */
export function coveredCommunes(ws: Workspace, operatorName: string): { communes: { commune: Commune; coverage: Coverage }[]; unknown: string[] } {
  const communes: { commune: Commune; coverage: Coverage }[] = [];
  const unknown: string[] = [];
  for (const { key, coverage } of membership(ws).covered(operatorName)) {
    const commune = ws.communeByKey(key);
    if (commune) communes.push({ commune, coverage });
    else unknown.push(key);
  }
  return { communes, unknown };
}

/** Who holds an enrolment's subscription: the covering structure, or ANCT's direct operator. */
export type SubscriptionHolder =
  | { operator: Operator; reach: Reach | "direct"; coverage: Coverage | null }
  | { operator: null; reason: string };

export function subscriptionHolder(index: MembershipIndex, communeKey: string, enrolment: Pick<Enrolment, "direct">): SubscriptionHolder {
  const coverage = index.coverage(communeKey);
  if (enrolment.direct) {
    const anct = index.directOperator();
    if (!anct) return { operator: null, reason: "the commune is enrolled directly (contract art. 3.3) but no operator of data/operators.json holds direct enrolments (directEnrolments: true)" };
    return { operator: anct, reach: "direct", coverage };
  }
  if (!coverage) return { operator: null, reason: "the commune is a member of no configured operator (data/operators.json)" };
  return { operator: coverage.operator, reach: reachOf(coverage), coverage };
}

/**
 * Refuses an onboarding that memberships do not allow. A commune a structure covers is
 * enrolled through it (a direct enrolment is for communes no structure covers: remove it
 * from the structure first). A commune nobody covers is enrolled only when asked as a
 * direct enrolment, and only if an operator holds direct enrolments.
 */
export function checkOnboardingCoverage(index: MembershipIndex, commune: { key: string; name: string; departement: string; insee: string }, direct: boolean): void {
  const who = `${commune.name} (${commune.departement}, INSEE ${commune.insee})`;
  const coverage = index.coverage(commune.key);
  if (coverage && direct) {
    throw new InputError(`${who} is covered by ${coverage.operator.name} (${describeReach(coverage)}): a direct enrolment (--direct) is for communes no structure covers (contract art. 3.3). Onboard it without --direct, or remove it from ${coverage.operator.name} first (domaines members remove).`, "conflict");
  }
  if (!coverage && !direct) {
    throw new InputError(`no mutualisation structure covers ${who}. Add it to one (domaines members add --operator NAME ${commune.key}), or enrol it directly by ANCT with minimal quotas (contract art. 3.3): add --direct.`, "not-covered");
  }
  if (direct && !index.directOperator()) {
    throw new InputError(`${who} can be enrolled directly only through an operator that holds direct enrolments (ANCT's, "directEnrolments": true in data/operators.json), and none is configured.`);
  }
}

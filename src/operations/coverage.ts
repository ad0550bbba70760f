import { coveredCommunes, coveringOperator as coverage } from "../services/membership.js";
import { findOperator, type Operator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";

/**
 * Which mutualisation structure covers a commune (directly or through its
 * intercommunalité): the one question authorization asks, answered by the membership
 * module (src/services/membership.ts), as for subscriptions, quotas and the fee.
 */
export function coveringOperator(ws: Workspace, communeKey: string): Operator | undefined {
  return coverage(ws, communeKey)?.operator;
}

export interface OperatorMember {
  key: string;
  siren: string | null;
  insee: string;
  name: string;
  departement: string;
  population: number | null;
}

export interface OperatorMembers {
  operator: { name: string; title: string; siren: string | null; example: boolean };
  members: OperatorMember[];
}

/** The current communes a structure covers, directly or through its intercommunalités (the membership module's answer). */
export function operatorMembers(ws: Workspace, name: string): OperatorMembers {
  const operator = findOperator(ws.operators(), name);
  const members = coveredCommunes(ws, operator.name).communes.map(({ commune: c }) => ({ key: c.key, siren: c.siren, insee: c.insee, name: c.name, departement: c.departement, population: c.population }));
  return { operator: { name: operator.name, title: operator.title, siren: operator.siren, example: operator.example }, members };
}

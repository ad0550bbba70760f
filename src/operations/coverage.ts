import { findOperator, operatorsByMember, type Operator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";

/**
 * Which mutualisation structure covers a commune (directly or through its
 * intercommunalité): the one question authorization asks. Today the answer comes from the
 * `members` lists of data/operators.json; the membership module (EPCI members, direct
 * enrolments) replaces the body of this function, and nothing else.
 */
export function coveringOperator(ws: Workspace, communeKey: string): Operator | undefined {
  return operatorIndex(ws).get(communeKey);
}

const indexes = new WeakMap<Workspace, Map<string, Operator>>();
function operatorIndex(ws: Workspace): Map<string, Operator> {
  let index = indexes.get(ws);
  if (!index) indexes.set(ws, (index = operatorsByMember(ws.operators())));
  return index;
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

/** The current communes a structure covers (by coveringOperator, so both answers agree). */
export function operatorMembers(ws: Workspace, name: string): OperatorMembers {
  const operator = findOperator(ws.operators(), name);
  const members = ws
    .communes()
    .filter((c) => coveringOperator(ws, c.key)?.name === operator.name)
    .map((c) => ({ key: c.key, siren: c.siren, insee: c.insee, name: c.name, departement: c.departement, population: c.population }));
  return { operator: { name: operator.name, title: operator.title, siren: operator.siren, example: operator.example }, members };
}

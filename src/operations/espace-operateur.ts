import { EspaceOperateurClient, type EspaceOperateurOptions } from "../services/espace-operateur.js";
import { secretFromEnv, tokenEnvVar, type Operator } from "../services/operators.js";
import type { Workspace } from "../workspace.js";

/** How to reach the Espace Opérateur as this operator: the configured API root and DOMAINES_EO_TOKEN_<OPERATOR>. */
export function espaceOperateurOptions(ws: Workspace, operator: Operator): EspaceOperateurOptions {
  const eo = ws.operators().espaceOperateur;
  const env = tokenEnvVar(operator);
  return { baseUrl: eo.url, operatorId: operator.espaceOperateurId, token: secretFromEnv(env, `the Espace Opérateur API of operator ${operator.name}`, ws.env), credentialHint: env, timeoutMs: eo.timeoutMs, retries: eo.retries };
}

/** The client, or null when the operator's key is not in the environment. */
export function espaceOperateurClientOrNull(ws: Workspace, operator: Operator): EspaceOperateurClient | null {
  return ws.env[tokenEnvVar(operator)] ? new EspaceOperateurClient(espaceOperateurOptions(ws, operator)) : null;
}

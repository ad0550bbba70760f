import { isAbsolute, resolve } from "node:path";
import type { DomainesConfig } from "../src/config/load.js";
import type { LedgerEntry } from "../src/ledger/schema.js";
import { projectRoot } from "../src/paths.js";
import type { DkimStore } from "../src/records/dkim.js";
import { Workspace } from "../src/workspace.js";
import type { StackConfig } from "./config.js";
import { asInfraError, asInfraErrorAsync, InfraError } from "./errors.js";

/**
 * The program's inputs, read the way every command reads them: through a Workspace
 * built from the stack config (ledger through its store, the deployment configuration,
 * the DKIM keys, operators and quota policy). The deployment configuration is the one
 * source of truth for the zone, the mail technical domain and the TTL: the stack's
 * `domaines:zone`, `mailTechnicalDomain` and `defaultTtl` only assert it.
 */
export interface ProgramSources {
  entries: LedgerEntry[];
  deployment: DomainesConfig;
  dkim: DkimStore;
}

/** The variable of the record templates that holds the mail platform's technical domain. */
export const MAIL_DOMAIN_VARIABLE = "mailDomain";

function fromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot(), path);
}

/** The Workspace the stack config designates (paths relative to the checkout). */
export function stackWorkspace(config: StackConfig): Workspace {
  return new Workspace({
    ...(config.ledgerDir ? { ledger: fromRoot(config.ledgerDir) } : {}),
    ...(config.configFile ? { configFile: fromRoot(config.configFile) } : {}),
    ...(config.dkimFile ? { dkimFile: fromRoot(config.dkimFile) } : {}),
    ...(config.operatorsFile ? { operatorsFile: fromRoot(config.operatorsFile) } : {}),
    ...(config.quotaPolicyFile ? { quotaPolicyFile: fromRoot(config.quotaPolicyFile) } : {}),
  });
}

export async function loadSources(config: StackConfig, ws: Workspace = stackWorkspace(config)): Promise<ProgramSources> {
  const entries = await asInfraErrorAsync("ledger", () => ws.store().read());
  const deployment = asInfraError("deployment configuration", () => ws.config());
  const dkim = asInfraError("DKIM keys", () => ws.dkim());
  return { entries, deployment, dkim };
}

/**
 * Refuses a stack whose assertions disagree with the deployment configuration, naming
 * both values, so that `plan`, `export` and `verify` (which read the configuration) and
 * `pulumi up` can never publish different zones, mail targets or TTLs.
 */
export function assertStackMatchesDeployment(config: StackConfig, deployment: DomainesConfig): void {
  const file = config.configFile ?? "data/config.json";
  if (!deployment.dns) {
    throw new InfraError(`the deployment configuration (${file}) has no "dns" section (SOA, name servers, TTLs, record sets); set domaines:configFile to a file that has one, as data/config.json does.`);
  }
  const problems: string[] = [];
  if (config.zone !== deployment.zone) problems.push(`domaines:zone is ${config.zone} but ${file} says zone ${deployment.zone}`);
  if (config.mailTechnicalDomain !== undefined) {
    const actual = deployment.dns.variables[MAIL_DOMAIN_VARIABLE];
    if (actual !== config.mailTechnicalDomain) problems.push(`domaines:mailTechnicalDomain is ${config.mailTechnicalDomain} but ${file} says dns.variables.${MAIL_DOMAIN_VARIABLE} ${actual === undefined ? "(absent)" : JSON.stringify(actual)}`);
  }
  if (config.defaultTtl !== undefined && config.defaultTtl !== deployment.dns.ttl) problems.push(`domaines:defaultTtl is ${config.defaultTtl} but ${file} says dns.ttl ${deployment.dns.ttl}`);
  if (problems.length > 0) {
    throw new InfraError(
      `the stack configuration disagrees with the deployment configuration, which plan, export and verify also read (one source of truth):\n  ${problems.join("\n  ")}\nFix ${file} if it is wrong; otherwise change or remove the stack key (\`pulumi config set\` / \`pulumi config rm\`).`,
    );
  }
}

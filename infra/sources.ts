import { isAbsolute, resolve } from "node:path";
import { loadConfig, type DomainesConfig } from "../src/config/load.js";
import { readLedger, ledgerDir } from "../src/ledger/store.js";
import type { LedgerEntry } from "../src/ledger/schema.js";
import { projectRoot } from "../src/paths.js";
import type { DkimStore } from "../src/records/dkim.js";
import { dkimStorePath, loadDkimStore } from "../src/records/dkim-store.js";
import type { StackConfig } from "./config.js";
import { asInfraError, InfraError } from "./errors.js";

/**
 * The program's inputs from disk: the ledger, the deployment configuration (with the
 * stack's zone, mail technical domain and TTL laid over it) and the DKIM keys. The one
 * place the Pulumi program does file I/O; every error names the file and the fix.
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

export function loadSources(config: StackConfig): ProgramSources {
  const entries = asInfraError("ledger", () => readLedger(config.ledgerDir ? fromRoot(config.ledgerDir) : ledgerDir()));
  const base = asInfraError("deployment configuration", () => loadConfig(config.configFile ? fromRoot(config.configFile) : undefined));
  const dkim = asInfraError("DKIM keys", () => loadDkimStore(dkimStorePath(config.dkimFile ? fromRoot(config.dkimFile) : undefined)));
  return { entries, deployment: overlayStackConfig(base, config), dkim };
}

/** The deployment configuration as this stack sees it: its zone, mail domain and default TTL win. */
export function overlayStackConfig(base: DomainesConfig, config: StackConfig): DomainesConfig {
  if (!base.dns) {
    throw new InfraError('deployment configuration has no "dns" section (SOA, name servers, TTLs, record sets); set domaines:configFile to a file that has one, as data/config.json does.');
  }
  const variables = { ...base.dns.variables };
  if (config.mailTechnicalDomain !== undefined) {
    if (!(MAIL_DOMAIN_VARIABLE in variables)) {
      throw new InfraError(`domaines:mailTechnicalDomain is set but the deployment configuration's dns.variables has no "${MAIL_DOMAIN_VARIABLE}" for it to replace; add it there (the MX and SPF templates use {${MAIL_DOMAIN_VARIABLE}}).`);
    }
    variables[MAIL_DOMAIN_VARIABLE] = config.mailTechnicalDomain;
  }
  return { ...base, zone: config.zone, dns: { ...base.dns, variables, ttl: config.defaultTtl ?? base.dns.ttl } };
}

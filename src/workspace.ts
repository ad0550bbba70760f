import { resolve } from "node:path";
import { loadCommunes } from "./communes/load.js";
import type { Commune, CommuneData } from "./communes/schema.js";
import { loadConfig, type DomainesConfig } from "./config/load.js";
import type { LedgerStore } from "./ledger/ledger-store.js";
import { openLedgerStore } from "./ledger/open.js";
import { computeLabels, type ComputedLabel } from "./naming/labels.js";
import { parseReservedList, readReservedText } from "./naming/reserved.js";
import { readCompiledLabels } from "./communes/compiled.js";
import { dataPath } from "./paths.js";
import type { DkimStore } from "./records/dkim.js";
import { dkimStorePath, loadDkimStore } from "./records/dkim-store.js";
import { loadOperators, type OperatorsFile } from "./services/operators.js";
import { loadPrices, type PricesFile } from "./services/prices.js";
import { loadQuotaPolicy, type QuotaPolicy } from "./services/quota-policy.js";

/**
 * Where an operation's inputs come from, as plain values: the CLI builds one from its
 * flags, the server from its start-up options, the Pulumi program from its stack config.
 * Nothing here knows about argv or HTTP.
 */
export interface WorkspaceOptions {
  /** A communes.json instead of the bundled COG. */
  communesFile?: string;
  /** Deployment configuration instead of data/config.json. */
  configFile?: string;
  /** Ledger location (a directory, later a database URL); default DOMAINES_LEDGER, else data/ledger. */
  ledger?: string;
  /** DKIM store; default DOMAINES_DKIM, else data/dkim.json. */
  dkimFile?: string;
  operatorsFile?: string;
  quotaPolicyFile?: string;
  pricesFile?: string;
  /** The environment (default process.env): where DOMAINES_* defaults and secrets come from. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The shared inputs of every operation, each loaded (and validated) once per process on
 * first use. Labels are computed once, without the ledger: allocation re-checks every
 * candidate against the ledger under its lock (chooseLabel).
 */
export class Workspace {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly options: WorkspaceOptions = {}) {}

  get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  communeData(): CommuneData {
    return this.memo("communes", () => loadCommunes(this.options.communesFile));
  }

  communes(): readonly Commune[] {
    return this.communeData().communes;
  }

  /** The current commune with this key (SIREN or insee:<code>). */
  communeByKey(key: string): Commune | undefined {
    return this.memo("communeByKey", () => new Map(this.communes().map((c) => [c.key, c]))).get(key);
  }

  private reservedText(): string {
    return this.memo("reservedText", () => readReservedText());
  }

  reserved(): Set<string> {
    return this.memo("reserved", () => parseReservedList(this.reservedText()));
  }

  config(): DomainesConfig {
    return this.memo("config", () => loadConfig(this.options.configFile));
  }

  zone(): string {
    return this.config().zone;
  }

  /** Computed labels of every current commune (homonymy is national, so always the whole list). */
  labels(): Map<string, ComputedLabel> {
    return this.memo("labels", () => {
      // The bundled COG's labels were computed at build time (against the same reserved list, checked by digest).
      const compiled = this.options.communesFile === undefined && this.communeData().compiled ? readCompiledLabels(this.reservedText()) : null;
      return compiled ?? computeLabels(this.communes(), { reserved: this.reserved() });
    });
  }

  /** The ledger's location as given (option, DOMAINES_LEDGER, or data/ledger). */
  ledgerLocation(): string {
    const chosen = this.options.ledger ?? this.env.DOMAINES_LEDGER;
    return chosen && chosen !== "" ? chosen : dataPath("ledger");
  }

  store(): LedgerStore {
    return this.memo("store", () => openLedgerStore(this.ledgerLocation(), this.env));
  }

  dkimPath(): string {
    return dkimStorePath(this.options.dkimFile, this.env);
  }

  dkim(): DkimStore {
    return this.memo("dkim", () => loadDkimStore(this.dkimPath()));
  }

  operators(): OperatorsFile {
    return this.memo("operators", () => loadOperators(this.options.operatorsFile));
  }

  quotaPolicy(): QuotaPolicy {
    return this.memo("quotaPolicy", () => loadQuotaPolicy(this.options.quotaPolicyFile));
  }

  prices(): PricesFile {
    return this.memo("prices", () => loadPrices(this.options.pricesFile));
  }

  /** Releases what the store holds open (a database pool); files need nothing. */
  async close(): Promise<void> {
    if (this.cache.has("store")) await (this.cache.get("store") as LedgerStore).close();
  }
}

/** A path option resolved against the current directory (what a person typed). */
export function resolvedPath(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

import { existsSync } from "node:fs";
import type { OptionSpec } from "../cli/command.js";
import type { CommandContext } from "../cli/context.js";
import { readLedger, ledgerDir } from "../ledger/store.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { loadOperators, type OperatorsFile } from "./operators.js";
import { loadQuotaPolicy, type QuotaPolicy } from "./quota-policy.js";
import { desiredSubscriptions, type SubscriptionPlan } from "./subscriptions.js";

/** Options of the commands that read the services' configuration files. */
export const SERVICE_FILE_OPTIONS: Record<string, OptionSpec> = {
  operators: { type: "string", valueName: "FILE", description: "operators and Espace Opérateur/Messages endpoints instead of data/operators.json" },
  "quota-policy": { type: "string", valueName: "FILE", description: "quota policy instead of data/quota-policy.json" },
};

export function operatorsOf(ctx: CommandContext): OperatorsFile {
  return loadOperators(ctx.string("operators"));
}

export function policyOf(ctx: CommandContext): QuotaPolicy {
  return loadQuotaPolicy(ctx.string("quota-policy"));
}

/** The ledger's entries, or null (with a warning) when the ledger directory does not exist yet. */
export function ledgerOrNull(ctx: CommandContext): { dir: string; entries: LedgerEntry[] | null } {
  const dir = ledgerDir(ctx);
  if (!existsSync(dir)) {
    ctx.warn(`no ledger at ${dir} (--ledger / DOMAINES_LEDGER): no commune is enrolled in any service yet.`);
    return { dir, entries: null };
  }
  return { dir, entries: readLedger(dir) };
}

/** The desired subscriptions of every enrolled commune, from the ledger, operators, policy and commune populations. */
export function subscriptionPlan(ctx: CommandContext, operators: OperatorsFile, entries: readonly LedgerEntry[]): SubscriptionPlan {
  const population = new Map(ctx.communeData().communes.map((c) => [c.key, c.population]));
  return desiredSubscriptions({ entries, operators, policy: policyOf(ctx), zone: ctx.config().zone, populationOf: (key) => population.get(key) ?? null });
}

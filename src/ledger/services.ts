import { InputError, quoteInput } from "../errors.js";
import { parseSize } from "../units/size.js";

/**
 * The services a commune can be enrolled in through the ledger, with the account types
 * that take a storage quota. The one list: onboarding, validation and the DNS model read
 * it (the service catalog in config may later supply it).
 */
export const ENROLLABLE_SERVICES = {
  messages: ["mailbox", "organization"],
  fichiers: ["user", "organization"],
} as const satisfies Record<string, readonly string[]>;

export type ServiceName = keyof typeof ENROLLABLE_SERVICES;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(ENROLLABLE_SERVICES, name);
}

export function quotaAccountProblem(service: string, account: string): string | null {
  if (!isServiceName(service)) return `unknown service "${service}" (services: ${Object.keys(ENROLLABLE_SERVICES).join(", ")})`;
  const accounts: readonly string[] = ENROLLABLE_SERVICES[service];
  return accounts.includes(account) ? null : `service ${service} has no account type "${account}" (account types: ${accounts.join(", ")})`;
}

/** `--services messages,fichiers` → the names, each checked. */
export function parseServiceList(text: string): ServiceName[] {
  const names = text.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (names.length === 0) throw new InputError(`--services ${quoteInput(text)} names no service; use e.g. --services messages,fichiers.`);
  for (const n of names) {
    if (!isServiceName(n)) throw new InputError(`--services: unknown service ${quoteInput(n)}; services: ${Object.keys(ENROLLABLE_SERVICES).join(", ")}.`);
  }
  return [...new Set(names)] as ServiceName[];
}

export interface QuotaOverride {
  service: ServiceName;
  account: string;
  /** "default" clears the override: the policy's quota applies again. */
  size: number | "unlimited" | "default";
}

/** `--quota messages.mailbox=5GB` → checked service, account type and size; `=default` clears the override. */
export function parseQuota(text: string): QuotaOverride {
  const m = /^([a-z]+)\.([a-z_]+)=(.+)$/.exec(text.trim());
  if (!m) throw new InputError(`--quota ${quoteInput(text)} must read SERVICE.ACCOUNT=SIZE, e.g. --quota messages.mailbox=5GB (or =default to clear an override).`);
  const [, service, account, size] = m as unknown as [string, string, string, string];
  const problem = quotaAccountProblem(service, account);
  if (problem) throw new InputError(`--quota ${quoteInput(text)}: ${problem}.`);
  if (size.trim() === "default") return { service: service as ServiceName, account, size: "default" };
  return { service: service as ServiceName, account, size: parseSize(size, `--quota ${service}.${account}`) };
}

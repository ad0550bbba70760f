import type { OptionSpec } from "./command.js";

/** Options several commands share. */
export const DKIM_OPTION: OptionSpec = { type: "string", valueName: "FILE", description: "DKIM keys from Messages instead of data/dkim.json (also DOMAINES_DKIM); absent file = every DKIM pending" };

/** Options of the commands that read the services' configuration files. */
export const SERVICE_FILE_OPTIONS: Record<string, OptionSpec> = {
  operators: { type: "string", valueName: "FILE", description: "operators and Espace Opérateur/Messages endpoints instead of data/operators.json" },
  "quota-policy": { type: "string", valueName: "FILE", description: "quota policy instead of data/quota-policy.json" },
};

import { ENROLLABLE_SERVICES, type ServiceName } from "../ledger/services.js";

export { isServiceName, type ServiceName } from "../ledger/services.js";

/**
 * What the Espace Opérateur calls each enrollable service's storage quota (the
 * DeployCenter entitlement type). The account types are the ledger's list; these names
 * are the service's contract, while service ids are per deployment (data/operators.json).
 */
export const SERVICE_CATALOG = {
  messages: { entitlementType: "messages_storage", accountTypes: ENROLLABLE_SERVICES.messages },
  fichiers: { entitlementType: "drive_storage", accountTypes: ENROLLABLE_SERVICES.fichiers },
} as const satisfies Record<ServiceName, { entitlementType: string; accountTypes: readonly string[] }>;

export const SERVICE_NAMES = Object.keys(SERVICE_CATALOG) as ServiceName[];

/** The account type whose quota bounds a commune's whole storage (what a cost ceiling rests on). */
export const ORGANIZATION_ACCOUNT = "organization";

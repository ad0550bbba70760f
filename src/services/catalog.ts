/**
 * The services whose storage the Espace Opérateur meters, as its API names them
 * (DeployCenter entitlements). These names are the service's contract, not a
 * deployment choice; the service ids, which are per deployment, live in
 * data/operators.json.
 */
export const SERVICE_CATALOG = {
  messages: { entitlementType: "messages_storage", accountTypes: ["mailbox", "organization"] },
  fichiers: { entitlementType: "drive_storage", accountTypes: ["user", "organization"] },
} as const;

export type ServiceName = keyof typeof SERVICE_CATALOG;
export const SERVICE_NAMES = Object.keys(SERVICE_CATALOG) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICE_CATALOG, name);
}

/** The account type whose quota bounds a commune's whole storage (what a cost ceiling rests on). */
export const ORGANIZATION_ACCOUNT = "organization";

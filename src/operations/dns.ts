import { InputError, quoteInput } from "../errors.js";
import { isPostgresUrl, redactPostgresUrl } from "../ledger/pg/url.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { appliedSnapshotPath, readAppliedSnapshot, saveAppliedSnapshot } from "../records/applied.js";
import { allRecords, desiredZone, pendingOwners, type DesiredZone } from "../records/model.js";
import { planZone, type ZonePlan } from "../records/plan.js";
import { assertValidZone } from "../records/validate.js";
import { renderZone } from "../records/zonefile.js";
import type { Workspace } from "../workspace.js";
import { selectDepartement } from "./commune-view.js";

/**
 * The DNS side of the operations: the one validated model of desired records for a
 * scope (the whole zone or one département), its zone file and its plan.
 */

/** A département code checked the way `names` checks it (current communes must have it); normalised (48, 2A). */
export function checkedDepartement(ws: Workspace, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return selectDepartement(ws.communes(), raw)[0]!.departement;
}

export interface ZoneScope {
  departement?: string;
  serial?: number;
}

/** The desired zone for the scope, refused (exit 2, every problem listed) when invalid. */
export function validatedZone(ws: Workspace, entries: readonly LedgerEntry[], scope: ZoneScope = {}): DesiredZone {
  const desired = desiredZone(entries, ws.config(), ws.dkim(), {
    ...(scope.departement === undefined ? {} : { departement: scope.departement }),
    ...(scope.serial === undefined ? {} : { serial: scope.serial }),
  });
  assertValidZone(desired);
  return desired;
}

/** `--serial N`: a SOA serial from 1 to 2^32-1. */
export function parseSerial(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const serial = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || serial < 1 || serial > 4294967295) throw new InputError(`--serial ${quoteInput(raw)} is not a SOA serial; use an integer from 1 to 4294967295.`);
  return serial;
}

export interface ZoneExport {
  zone: string;
  departement: string | null;
  serial: number;
  labels: number;
  /** Records in the file, SOA included. */
  records: number;
  pendingDkim: number;
  text: string;
}

/** The RFC 1035 zone file of the validated model for the scope. */
export async function exportZoneFile(ws: Workspace, scope: ZoneScope = {}): Promise<ZoneExport> {
  const departement = checkedDepartement(ws, scope.departement);
  const desired = validatedZone(ws, await ws.store().read(), { ...scope, ...(departement === undefined ? {} : { departement }) });
  return {
    zone: desired.zone,
    departement: departement ?? null,
    serial: desired.soa.serial,
    labels: desired.owners.length,
    records: allRecords(desired).length + desired.authority.length + 1,
    pendingDkim: pendingOwners(desired).length,
    text: renderZone(desired),
  };
}

export interface PlanOutcome extends ZonePlan {
  snapshot: string;
  saved: boolean;
}

/** The desired records compared with the last applied snapshot; `save` records them as applied. */
export async function planDns(ws: Workspace, options: { departement?: string; snapshot?: string; save?: boolean } = {}): Promise<PlanOutcome> {
  const departement = checkedDepartement(ws, options.departement);
  const desired = validatedZone(ws, await ws.store().read(), departement === undefined ? {} : { departement });
  const location = ws.ledgerLocation();
  // The applied snapshot is a file beside a file ledger; a database ledger has no directory to put it in.
  if (options.snapshot === undefined && isPostgresUrl(location)) {
    throw new InputError(`the ledger is a database (${redactPostgresUrl(location)}): give the applied DNS snapshot's file with --snapshot FILE (the file store keeps it in its directory).`);
  }
  const path = appliedSnapshotPath(location, options.snapshot);
  const plan = planZone(desired, readAppliedSnapshot(path), departement === undefined ? {} : { departement });
  if (options.save) saveAppliedSnapshot(path, desired, departement === undefined ? {} : { departement });
  return { snapshot: path, saved: options.save === true, ...plan };
}

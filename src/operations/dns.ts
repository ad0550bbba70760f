import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError, quoteInput } from "../errors.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { PLATFORM, readAppliedSnapshotFile, SNAPSHOT_OUTPUT } from "../records/applied.js";
import { allRecords, desiredZone, normalizeDepartement, pendingOwners, type DesiredZone } from "../records/model.js";
import { planZone, type ZonePlan } from "../records/plan.js";
import { desiredSubscriptions } from "../services/subscriptions.js";
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
  /** The --against file, or null. */
  againstFile: string | null;
  warnings: string[];
}

/** The file `plan --save` used to write beside the ledger: retired, the stack's guardState output is the one applied snapshot. */
export const RETIRED_APPLIED_FILE = "dns-applied.json";

export function retiredSaveMessage(option: string): string {
  return (
    `${option} is retired: the one record of what was applied is now the Pulumi stack's own ${SNAPSHOT_OUTPUT} output, which the deletion guard reads too. ` +
    `Compare with it: \`pulumi stack output ${SNAPSHOT_OUTPUT} --json -s dep-48 > applied.json; domaines plan --against applied.json\`.`
  );
}

/**
 * The desired records compared with a stack's applied snapshot (`against`: a file from
 * `pulumi stack output guardState --json`). The scope is the snapshot's stack (the
 * platform or one département); `departement`, when also given, must agree with it.
 * Without a snapshot: the département or the whole zone, every record new.
 */
export async function planDns(ws: Workspace, options: { departement?: string; against?: string } = {}): Promise<PlanOutcome> {
  const warnings: string[] = [];
  const against = options.against === undefined ? null : readAppliedSnapshotFile(options.against);
  const asked = checkedDepartement(ws, options.departement);
  if (against && asked !== undefined && against.shard !== asked) {
    throw new InputError(`--departement ${quoteInput(options.departement!)} and --against ${quoteInput(options.against!)} disagree: the snapshot is stack ${against.shard === PLATFORM ? "platform" : `dep-${against.shard.toLowerCase()}`}'s (shard ${against.shard}), not département ${asked}'s; drop --departement or give that stack's output.`);
  }
  if (against && against.zone !== ws.zone()) warnings.push(`the applied snapshot is for zone ${against.zone} but the configuration says ${ws.zone()}: every record would leave ${against.zone} (the deletion guard refuses a zone change).`);
  const scope = against ? against.shard : (asked ?? null);
  const departement = scope === null || scope === PLATFORM ? undefined : normalizeDepartement(scope);
  const entries = await ws.store().read();
  const desired = validatedZone(ws, entries, departement === undefined ? {} : { departement });
  let subscriptions: Parameters<typeof planZone>[0]["subscriptions"];
  if (against && departement !== undefined) {
    const plan = desiredSubscriptions({
      entries: entries.filter((e) => e.departement !== undefined && normalizeDepartement(e.departement) === departement),
      operators: ws.operators(),
      policy: ws.quotaPolicy(),
      zone: ws.zone(),
      populationOf: (key) => ws.communeByKey(key)?.population ?? null,
    });
    subscriptions = {
      subscriptions: plan.subscriptions.map((s) => ({ commune: s.communeKey, label: s.label, service: s.service, operator: s.operator })),
      unplaced: new Map(plan.unplaced.map((u) => [`${u.communeKey}/${u.service}`, u.reason])),
    };
  }
  // Only a file ledger ever had it beside it (a database URL is no directory, and holds a password).
  const retired = ws.store().kind === "file" ? join(ws.store().location, RETIRED_APPLIED_FILE) : null;
  if (retired !== null && existsSync(retired)) warnings.push(`${retired} is no longer read (plan --save is retired); compare with the stack's output instead: plan --against FILE from \`pulumi stack output ${SNAPSHOT_OUTPUT} --json\`. Delete it once you have.`);
  const plan = planZone({ desired, config: ws.config(), ledger: entries, scope, against, ...(subscriptions ? { subscriptions } : {}) });
  return { ...plan, againstFile: options.against ?? null, warnings };
}

import * as pulumi from "@pulumi/pulumi";
// Only the domain module: the package index loads every OVH product (~0.3 s more per run).
import * as ovhDomain from "@ovhcloud/pulumi-ovh/domain/index.js";
import { COMMUNE_COMPONENT, ZONE_NAMES_COMPONENT } from "../src/records/logical-names.js";
import type { OwnerPlan } from "./plan.js";

/**
 * Pulumi components: thin adapters from an OwnerPlan to ZoneRecords. They compute
 * nothing: names, arguments and digests come from the plan (and so from the record
 * model), which keeps the resources and the guard's view identical.
 */

function createRecords(parent: pulumi.ComponentResource, plan: OwnerPlan): ovhDomain.ZoneRecord[] {
  return plan.records.map((r) => new ovhDomain.ZoneRecord(r.resourceName, { ...r.args }, { parent }));
}

/** One commune's domain `<label>.<zone>`: its ZoneRecords as children. */
export class CommuneDomain extends pulumi.ComponentResource {
  readonly label: string;
  readonly records: ovhDomain.ZoneRecord[];

  constructor(plan: OwnerPlan, opts?: pulumi.ComponentResourceOptions) {
    super(COMMUNE_COMPONENT, plan.resourceName, {}, opts);
    this.label = plan.label;
    this.records = createRecords(this, plan);
    this.registerOutputs();
  }
}

/** Records of the zone itself or of a label nobody holds (platform stack). */
export class ZoneNames extends pulumi.ComponentResource {
  readonly records: ovhDomain.ZoneRecord[];

  constructor(plan: OwnerPlan, opts?: pulumi.ComponentResourceOptions) {
    super(ZONE_NAMES_COMPONENT, plan.resourceName, {}, opts);
    this.records = createRecords(this, plan);
    this.registerOutputs();
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as ovh from "@ovhcloud/pulumi-ovh";
import type { OwnerPlan } from "./plan.js";

/**
 * Pulumi components: thin adapters from an OwnerPlan to ZoneRecords. They compute
 * nothing: names, arguments and digests come from the plan (and so from the record
 * model), which keeps the resources and the guard's view identical.
 */

function createRecords(parent: pulumi.ComponentResource, plan: OwnerPlan): ovh.domain.ZoneRecord[] {
  return plan.records.map((r) => new ovh.domain.ZoneRecord(r.resourceName, { ...r.args }, { parent }));
}

/** One commune's domain `<label>.<zone>`: its ZoneRecords as children. */
export class CommuneDomain extends pulumi.ComponentResource {
  readonly label: string;
  readonly records: ovh.domain.ZoneRecord[];

  constructor(plan: OwnerPlan, opts?: pulumi.ComponentResourceOptions) {
    super("domaines:dns:CommuneDomain", plan.resourceName, {}, opts);
    this.label = plan.label;
    this.records = createRecords(this, plan);
    this.registerOutputs({ label: plan.label, recordCount: plan.records.length });
  }
}

/** Records of the zone itself or of a label nobody holds (platform stack). */
export class ZoneNames extends pulumi.ComponentResource {
  readonly records: ovh.domain.ZoneRecord[];

  constructor(plan: OwnerPlan, opts?: pulumi.ComponentResourceOptions) {
    super("domaines:dns:ZoneNames", plan.resourceName, {}, opts);
    this.records = createRecords(this, plan);
    this.registerOutputs({ label: plan.label, recordCount: plan.records.length });
  }
}

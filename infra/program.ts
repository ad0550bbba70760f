import * as pulumi from "@pulumi/pulumi";
import * as ovhDomain from "@ovhcloud/pulumi-ovh/domain/index.js";
import { parseAppliedSnapshot, PLATFORM, SNAPSHOT_OUTPUT, type AppliedSnapshot } from "../src/records/applied.js";
import type { Workspace } from "../src/workspace.js";
import { CommuneDomain, ZoneNames } from "./components.js";
import { parseStackConfig, type StackConfig } from "./config.js";
import { asInfraError, InfraError } from "./errors.js";
import { loadSources, stackWorkspace, type ProgramSources } from "./sources.js";
import { buildStackModel, type StackModel } from "./stack-model.js";
import { declareSubscriptions, loadStackSubscriptionSources, stackSubscriptionPlan, subscriptionOutputs, type StackSubscriptionSources } from "./providers/subscriptions.js";

/**
 * The Pulumi program of every stack (`platform`, `dep-<code>`). Order matters for
 * safety: configuration, inputs and the previous run's state are read and the deletion
 * guard decides BEFORE any resource is registered, so a refused run changes nothing.
 */

/** Whether a config key was set with `--secret` (the SDK keeps this check internal). */
function isSecretConfig(key: string): boolean {
  const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  return typeof check === "function" ? check(key) : false;
}

export function readStackConfig(): StackConfig {
  return parseStackConfig(pulumi.runtime.allConfig(), pulumi.getStack(), isSecretConfig);
}

/** The fully qualified name of this very stack, for the StackReference that reads its last outputs. */
export function selfStackName(): string {
  const org = pulumi.getOrganization();
  return [org, pulumi.getProject(), pulumi.getStack()].filter((p) => p !== "").join("/");
}

/** The applied snapshot the last successful run left in its outputs; null on a first run. */
export async function readPreviousSnapshot(config: StackConfig): Promise<AppliedSnapshot | null> {
  const name = config.previousStateStack ?? selfStackName();
  const ref = new pulumi.StackReference("previous-run", { name });
  const details = await ref.getOutputDetails(SNAPSHOT_OUTPUT);
  const value: unknown = details.value ?? details.secretValue;
  if (value === undefined || value === null) return null;
  const parsed = parseAppliedSnapshot(value);
  if (!parsed.ok) {
    throw new InfraError(
      `the "${SNAPSHOT_OUTPUT}" output of stack ${name} (the previous run) is unreadable (${parsed.problem}), so the deletion guard cannot tell what this run would delete. Check domaines:previousStateStack, or run once with domaines:allowDeletions=true after reviewing the preview.`,
    );
  }
  return parsed.snapshot;
}

/** Registers the stack's resources from the model: nothing here decides what exists. */
export function declareResources(config: StackConfig, model: StackModel): void {
  if (config.shard === PLATFORM) {
    // Deleting this resource would switch DNSSEC off for the whole zone: protected.
    new ovhDomain.ZoneDNSSec("dnssec", { zoneName: config.zone }, { protect: true });
  }
  for (const owner of model.plan.owners) {
    if (owner.holder.kind === "commune") new CommuneDomain(owner);
    else new ZoneNames(owner);
  }
}

export function stackOutputs(config: StackConfig, model: StackModel): Record<string, unknown> {
  return {
    zone: config.zone,
    shard: config.shard,
    ...model.review,
    recordTotal: model.plan.total,
    unexplainedDeletions: model.decision.removed.filter((r) => r.explainedBy === null).length,
    deletionGuard: model.decision.message,
    [SNAPSHOT_OUTPUT]: model.snapshot,
  };
}

export interface RunOptions {
  /** Inputs; tests may pass them in, `pulumi up` reads what the stack config names (through a Workspace). */
  sources?: (config: StackConfig) => ProgramSources | Promise<ProgramSources>;
  /** Operators, quota policy and populations for a département stack's Espace Opérateur subscriptions. */
  subscriptionSources?: (config: StackConfig) => StackSubscriptionSources;
}

export async function runStack(options: RunOptions = {}): Promise<Record<string, unknown>> {
  const config = readStackConfig();
  let ws: Workspace | undefined;
  const workspace = () => (ws ??= stackWorkspace(config));
  const sources = await (options.sources ?? ((c: StackConfig) => loadSources(c, workspace())))(config);
  const previous = await readPreviousSnapshot(config);
  // Subscriptions are planned before the guard decides, like the records: the guard judges both.
  const subSources =
    config.shard === PLATFORM || !config.subscriptions ? null : asInfraError("subscriptions", () => (options.subscriptionSources ?? (() => loadStackSubscriptionSources(workspace())))(config));
  const subscriptions = subSources ? stackSubscriptionPlan(sources.deployment.zone, config.shard, sources.entries, subSources) : null;
  const model = buildStackModel(config, sources, previous, subscriptions);
  if (!model.decision.allowed) throw new InfraError(model.decision.message);
  if (model.decision.overridden) pulumi.log.warn(model.decision.message);
  else if (model.decision.removed.length > 0) pulumi.log.info(model.decision.message);
  if (model.plan.underscore > 0) {
    pulumi.log.info(`${model.plan.underscore} record(s) have an underscore label (_dmarc, _domainkey, _smtp._tls); OVH has refused such names on some endpoints in the past — a failure on them is the API, not the model.`);
  }
  declareResources(config, model);
  if (subscriptions && subSources) declareSubscriptions(subscriptions, subSources);
  return { ...stackOutputs(config, model), ...(subscriptions ? subscriptionOutputs(subscriptions) : {}) };
}

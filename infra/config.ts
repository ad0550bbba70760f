import { z } from "zod";
import { dnsNameSchema } from "../src/config/schema.js";
import { InfraError } from "./errors.js";

/** Project name in Pulumi.yaml: stack config keys are `domaines:<key>`. */
export const CONFIG_NAMESPACE = "domaines";

/** A département code as the commune data spells it (01, 2A, 974), or `platform`. */
export const shardSchema = z
  .string()
  .transform((s) => (s.toLowerCase() === "platform" ? "platform" : s.toUpperCase()))
  .pipe(z.string().regex(/^(platform|0[1-9]|[1-8]\d|9[0-5]|2[AB]|9[78]\d)$/, "\"platform\" or a département code such as 48, 2A or 974"));

/** Pulumi hands every config value over as a string; numbers and booleans are parsed here. */
const intFromConfig = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v), z.number({ error: `an integer from ${min} to ${max}` }).int().min(min).max(max));
const shareFromConfig = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v),
  z.number({ error: "a share between 0 and 1, e.g. 0.05 for 5%" }).min(0, "a share between 0 and 1, e.g. 0.05 for 5%").max(1, "a share between 0 and 1, e.g. 0.05 for 5%"),
);
const boolFromConfig = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ error: "true or false" }));

/**
 * The `domaines:*` stack configuration, validated before anything else runs. Unknown
 * keys are refused (a typo such as `domaines:alowDeletions` must not silently keep the
 * guard on or off), and OVH credentials never belong here (they are `ovh:*` secrets or
 * `OVH_*` environment variables).
 */
export const stackConfigSchema = z.strictObject({
  /**
   * The OVH zone this stack publishes into. An assertion, not a setting: the zone is the
   * deployment configuration's `zone` (data/config.json), which plan, export and verify
   * read too; a stack whose value differs is refused, naming both.
   */
  zone: dnsNameSchema,
  /** `platform` (zone-level records, DNSSEC) or the département this stack holds. */
  shard: shardSchema,
  /** Optional assertion: the deployment configuration's `dns.variables.mailDomain` (the `<T>` of the MX/SPF templates). */
  mailTechnicalDomain: dnsNameSchema.optional(),
  /** Optional assertion: the deployment configuration's `dns.ttl` (TTL of records whose template sets none). */
  defaultTtl: intFromConfig(60, 604800).optional(),
  /** Deployment configuration file (relative to the project root); default data/config.json. */
  configFile: z.string().min(1).optional(),
  /** Ledger directory (relative to the project root); default DOMAINES_LEDGER, else data/ledger. */
  ledgerDir: z.string().min(1).optional(),
  /** DKIM keys from Messages (relative to the project root); default data/dkim.json, absent = every DKIM pending. */
  dkimFile: z.string().min(1).optional(),
  /** Operators and Espace Opérateur endpoints (relative to the project root); default data/operators.json. */
  operatorsFile: z.string().min(1).optional(),
  /** Quota policy (relative to the project root); default data/quota-policy.json. */
  quotaPolicyFile: z.string().min(1).optional(),
  /** Largest share of the stack's records (and of its subscriptions) one run may delete before the guard refuses. */
  maxDeletionShare: shareFromConfig.default(0.05),
  /** Largest share of the stack's records one run may change in place without a ledger change explaining it (octoDNS's update threshold). */
  maxUpdateShare: shareFromConfig.default(0.05),
  /** Explicit override of the guard for one run (set it, run, unset it). */
  allowDeletions: boolFromConfig.default(false),
  /** Département stacks: also declare the Espace Opérateur subscriptions of the shard's communes (infra/providers/subscriptions.ts). */
  subscriptions: boolFromConfig.default(true),
  /** Stack whose outputs hold the previous run's applied snapshot; default this very stack. */
  previousStateStack: z.string().regex(/^[A-Za-z0-9_.\/-]+$/, "a stack name such as dep-48 or organization/domaines/dep-48").optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

/** What the stack name says the shard is: `platform` → platform, `dep-2a` → 2A; null for other names. */
export function shardFromStackName(stack: string): string | null {
  if (stack === "platform") return "platform";
  const m = /^dep-(\d{2}|2[ab]|\d{3})$/i.exec(stack);
  return m ? m[1]!.toUpperCase() : null;
}

/** The stack name a shard conventionally runs under. */
export function stackNameForShard(shard: string): string {
  return shard === "platform" ? "platform" : `dep-${shard.toLowerCase()}`;
}

/** Keys that hold credentials: they must come from `ovh:*` secret config or the environment. */
const SECRET_OVH_KEYS = ["ovh:applicationSecret", "ovh:consumerKey", "ovh:clientSecret", "ovh:accessToken"];

/**
 * Parses the raw Pulumi configuration map (`project:key` → string) for `stack`.
 * `isSecret` says whether a key was set with `--secret`. Every problem names its key.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, stack: string, isSecret: (key: string) => boolean): StackConfig {
  const problems: string[] = [];
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [namespace, ...rest] = key.split(":");
    if (namespace === CONFIG_NAMESPACE) ours[rest.join(":")] = value;
  }
  for (const key of SECRET_OVH_KEYS) {
    if (raw[key] !== undefined && !isSecret(key)) {
      problems.push(`${key}: stored in plain text; set it with \`pulumi config set --secret ${key} …\` or use the ${envNameFor(key)} environment variable`);
    }
  }
  const parsed = stackConfigSchema.safeParse(ours);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) problems.push(`${CONFIG_NAMESPACE}:${k}: unknown key; known keys are ${Object.keys(stackConfigSchema.shape).map((s) => `${CONFIG_NAMESPACE}:${s}`).join(", ")}`);
        continue;
      }
      const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
      const key = field !== undefined ? `${CONFIG_NAMESPACE}:${issue.path.join(".")}` : "(config)";
      // zod does not echo the input in its issues: whether the key was given decides "missing".
      const missing = field !== undefined && !(field in ours);
      problems.push(`${key}: ${missing ? `missing; set it with \`pulumi config set ${key} <value>\`` : `${JSON.stringify(ours[field!])} is not valid: ${issue.message}`}`);
    }
  }
  if (parsed.success) {
    const expected = shardFromStackName(stack);
    if (expected !== null && expected !== parsed.data.shard) {
      problems.push(`${CONFIG_NAMESPACE}:shard: is ${JSON.stringify(parsed.data.shard)} but stack ${JSON.stringify(stack)} is for ${JSON.stringify(expected)}; fix the value or select the right stack`);
    }
  }
  if (problems.length > 0) {
    throw new InfraError(`stack ${JSON.stringify(stack)} configuration is invalid:\n  ${problems.join("\n  ")}`);
  }
  return parsed.data!;
}

function envNameFor(key: string): string {
  const name = key.slice("ovh:".length).replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return `OVH_${name}`;
}

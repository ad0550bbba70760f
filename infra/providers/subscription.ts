/**
 * An Espace Opérateur service subscription as a Pulumi dynamic resource: one per
 * enrolled commune and service in a département stack. Create and update are the
 * upsert (PATCH), delete removes the subscription, read refreshes drift.
 *
 * Credentials: the provider holds none. Its inputs carry only the NAME of the
 * environment variable with the operator's key (DOMAINES_EO_TOKEN_<OPERATOR>), read
 * when a method runs, in the provider process that `pulumi up` starts with its own
 * environment (as the OVH provider reads OVH_*). So no secret is serialized with the
 * provider nor stored in the state, and a rotated key is simply picked up next run.
 * Pulumi serializes this provider by closure: it must capture no client or schema
 * object (see src/services/espace-operateur.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ServiceName } from "../../src/services/catalog.js";
import { EspaceOperateurClient, sortEntitlements } from "../../src/services/espace-operateur.js";
import type { OperatorsFile } from "../../src/services/operators.js";
import type { Entitlement } from "../../src/services/quota-policy.js";
import type { DesiredSubscription } from "../../src/services/subscriptions.js";

/** Everything the provider needs, all plain data (no secret). */
export interface SubscriptionInputs {
  apiUrl: string;
  operatorId: string;
  /** Name of the environment variable holding the operator's key. */
  tokenEnv: string;
  siren: string;
  service: ServiceName;
  serviceId: number;
  domains: string[];
  entitlements: Entitlement[];
  timeoutMs: number;
  retries: number;
}

export interface SubscriptionOutputs extends SubscriptionInputs {
  organizationId: string;
  organizationName: string;
  isActive: boolean;
}

/** Pure: the resource's logical name and inputs for one desired subscription (names from stable identity only). */
export function subscriptionResourceArgs(desired: DesiredSubscription, endpoint: OperatorsFile["espaceOperateur"]): { name: string; inputs: SubscriptionInputs } {
  return {
    name: `subscription-${desired.service}-${desired.communeKey}`,
    inputs: {
      apiUrl: endpoint.url,
      operatorId: desired.operatorId,
      tokenEnv: desired.tokenEnv,
      siren: desired.siren,
      service: desired.service,
      serviceId: desired.serviceId,
      domains: [...desired.domains],
      entitlements: sortEntitlements(desired.entitlements),
      timeoutMs: endpoint.timeoutMs,
      retries: endpoint.retries,
    },
  };
}

/** Inputs whose change means another subscription (another organisation, operator or service). */
const IDENTITY_KEYS = ["operatorId", "siren", "serviceId"] as const;
const UPDATE_KEYS = ["domains", "entitlements", "apiUrl", "tokenEnv", "timeoutMs", "retries"] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clientFor(inputs: SubscriptionInputs, env: NodeJS.ProcessEnv): EspaceOperateurClient {
  const token = env[inputs.tokenEnv];
  if (!token) {
    throw new Error(`Espace Opérateur: the environment variable ${inputs.tokenEnv} is not set; export the operator ${inputs.operatorId}'s key there before running pulumi (never in stack config files or the state).`);
  }
  return new EspaceOperateurClient({ baseUrl: inputs.apiUrl, operatorId: inputs.operatorId, token, credentialHint: inputs.tokenEnv, timeoutMs: inputs.timeoutMs, retries: inputs.retries });
}

function problems(news: Partial<SubscriptionInputs>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const need = (property: keyof SubscriptionInputs, ok: boolean, reason: string) => {
    if (!ok) failures.push({ property, reason });
  };
  need("apiUrl", typeof news.apiUrl === "string" && /^https?:\/\/.+\/$/.test(news.apiUrl), "the Espace Opérateur API root, ending in /");
  need("operatorId", typeof news.operatorId === "string" && news.operatorId.length > 0, "the operator id");
  need("tokenEnv", typeof news.tokenEnv === "string" && /^[A-Z][A-Z0-9_]*$/.test(news.tokenEnv), "the NAME of the environment variable holding the key (not the key)");
  need("siren", typeof news.siren === "string" && /^\d{9}$/.test(news.siren), "the commune's SIREN (9 digits)");
  need("serviceId", Number.isInteger(news.serviceId) && (news.serviceId ?? 0) > 0, "the service id of this deployment");
  need("domains", Array.isArray(news.domains) && news.domains.every((d) => typeof d === "string"), "a list of domains");
  need(
    "entitlements",
    Array.isArray(news.entitlements) && news.entitlements.every((e) => typeof e?.type === "string" && typeof e.account_type === "string" && Number.isSafeInteger(e.config?.max_storage) && e.config.max_storage >= 0),
    "entitlements {type, account_type, config: {max_storage: bytes, 0 = unlimited}}",
  );
  return failures;
}

/**
 * The provider. `env` is where keys are read at call time (process.env in Pulumi's
 * provider process; tests pass their own).
 */
export class SubscriptionProvider implements pulumi.dynamic.ResourceProvider<SubscriptionInputs, SubscriptionOutputs> {
  constructor(private readonly envSource: () => NodeJS.ProcessEnv = () => process.env) {}

  async check(_olds: SubscriptionInputs, news: SubscriptionInputs): Promise<pulumi.dynamic.CheckResult<SubscriptionInputs>> {
    const failures = problems(news);
    return failures.length > 0 ? { failures } : { inputs: { ...news, entitlements: sortEntitlements(news.entitlements) } };
  }

  async diff(_id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = IDENTITY_KEYS.filter((k) => !same(olds[k], news[k]));
    const updates = UPDATE_KEYS.filter((k) => !same(olds[k], news[k]));
    const inactive = olds.isActive === false; // someone deactivated it: the model wants it active
    return { changes: replaces.length > 0 || updates.length > 0 || inactive, replaces, deleteBeforeReplace: false };
  }

  private async write(inputs: SubscriptionInputs, organizationId?: string): Promise<SubscriptionOutputs> {
    const client = clientFor(inputs, this.envSource());
    const org = organizationId ? { id: organizationId, name: "" } : await client.findOrganization(inputs.siren);
    const { subscription } = await client.upsertSubscription(org.id, inputs.serviceId, { isActive: true, domains: inputs.domains, entitlements: inputs.entitlements });
    return { ...inputs, organizationId: org.id, organizationName: org.name, isActive: subscription.isActive, domains: subscription.domains, entitlements: subscription.entitlements };
  }

  async create(inputs: SubscriptionInputs): Promise<pulumi.dynamic.CreateResult<SubscriptionOutputs>> {
    const outs = await this.write(inputs);
    return { id: `${inputs.operatorId}/${outs.organizationId}/${inputs.serviceId}`, outs };
  }

  async update(_id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.UpdateResult<SubscriptionOutputs>> {
    const outs = await this.write(news, olds.organizationId);
    return { outs: { ...outs, organizationName: olds.organizationName } };
  }

  /** What the service holds now: domains, quotas and activity as read back; gone when it has no subscription. */
  async read(id: string, props?: SubscriptionOutputs): Promise<pulumi.dynamic.ReadResult<SubscriptionOutputs>> {
    if (!props) throw new Error(`Espace Opérateur subscription ${id}: cannot be read without its recorded properties (import is not supported; let pulumi up create it, the PATCH adopts an existing one)`);
    const current = await clientFor(props, this.envSource()).getSubscription(props.organizationId, props.serviceId);
    if (!current) return {};
    return { id, props: { ...props, isActive: current.isActive, domains: current.domains, entitlements: current.entitlements } };
  }

  async delete(_id: string, props: SubscriptionOutputs): Promise<void> {
    await clientFor(props, this.envSource()).deleteSubscription(props.organizationId, props.serviceId);
  }
}

/** The one provider instance every subscription resource serializes. */
export const subscriptionProvider = new SubscriptionProvider();

/** One commune's subscription to one service in the Espace Opérateur. */
export class EspaceOperateurSubscription extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly domains: pulumi.Output<string[]>;
  declare readonly entitlements: pulumi.Output<Entitlement[]>;
  declare readonly isActive: pulumi.Output<boolean>;

  constructor(name: string, inputs: SubscriptionInputs, opts?: pulumi.CustomResourceOptions) {
    super(subscriptionProvider, name, { ...inputs, organizationId: undefined, organizationName: undefined, isActive: undefined }, opts, "domaines", "EspaceOperateurSubscription");
  }
}

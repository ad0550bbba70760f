import { z } from "zod";
import { InputError, quoteInput } from "../errors.js";
import { dataPath } from "../paths.js";
import { readJsonFile } from "../json-file.js";

const communeKey = z.string().regex(/^(\d{9}|insee:\d{5})$/, "a commune key: its SIREN (9 digits) or insee:<code>");
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => (u.endsWith("/") ? u : `${u}/`));

/** The mentions art. 8.6 of the contract puts on a four-monthly statement, from the operator's configuration. */
export const billingSchema = z.strictObject({
  /** "La désignation du destinataire du titre de recette": who the statement is addressed to, as on Chorus Pro. */
  recipient: z.string().min(1),
  /** "Code service exécutant" of the recipient on Chorus Pro. */
  codeServiceExecutant: z.string().min(1).max(100),
  /** "Le numéro du contrat". */
  contractNumber: z.string().min(1).max(100),
  /** "Le numéro d'EJ" (engagement juridique). */
  ejNumber: z.string().min(1).max(100),
  /** "La date convenue de versement": this many days after the date of issue (art. 8.7: at most 30 days after deposit). */
  paymentDelayDays: z.number().int().min(0).max(90).default(30),
});
export type Billing = z.output<typeof billingSchema>;

export const operatorSchema = z
  .strictObject({
    /** Short name used on the command line and in the token's environment variable. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, "lowercase letters, digits and hyphens, such as cdg48"),
    title: z.string().min(1),
    /** The structure's SIREN; null until it has been checked in the SIRENE register. */
    siren: z.string().regex(/^\d{9}$/, "9 digits").nullable(),
    /** The operator id in the Espace Opérateur (`operators/{id}/...`). */
    espaceOperateurId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "letters, digits, dot, underscore or hyphen (it goes into a URL path)"),
    /** True for illustrative entries whose ids are not real: commands warn before using them. */
    example: z.boolean().default(false),
    /**
     * True for the one entry through which ANCT deploys directly to communes no structure
     * covers (contract art. 3.3): it holds their subscriptions and has no members.
     */
    directEnrolments: z.boolean().default(false),
    /** Member communes by commune key (SIREN, or insee:<code> where there is none). Change them with `domaines members`. */
    members: z.array(communeKey).default([]).refine((m) => new Set(m).size === m.length, "a commune is listed twice"),
    /** Member intercommunalités à fiscalité propre (EPCI) by SIREN: their member communes are covered too. */
    epcis: z.array(z.string().regex(/^\d{9}$/, "an EPCI's SIREN (9 digits)")).default([]).refine((m) => new Set(m).size === m.length, "an EPCI is listed twice"),
    /** Mentions of the four-monthly statement (art. 8.6); needed by `cost --quadrimestre` only. */
    billing: billingSchema.optional(),
  })
  .superRefine((op, ctx) => {
    const count = op.members.length + op.epcis.length;
    if (op.directEnrolments && count > 0) ctx.addIssue({ code: "custom", path: ["members"], message: "the direct-enrolment operator covers no commune: it holds the subscriptions of communes no structure covers; leave members and epcis empty" });
    if (!op.directEnrolments && count === 0) ctx.addIssue({ code: "custom", path: ["members"], message: "a mutualisation structure needs at least one member commune or EPCI (domaines members add)" });
  });
export type Operator = z.output<typeof operatorSchema>;

/** Timeouts, retries, and what a command may spend on a service (defaults: HTTP_LIMITS in src/services/http.ts). */
const clientSettings = {
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  retries: z.number().int().min(0).max(10).default(3),
  /** The whole command, pagination and retries included. */
  budgetMs: z.number().int().min(1000).max(3_600_000).optional(),
  /** One response body, in bytes. */
  maxResponseBytes: z.number().int().min(65_536).max(1e9).optional(),
  /** All response bodies of one command, in bytes. */
  maxTotalBytes: z.number().int().min(65_536).max(4e9).optional(),
};

export const operatorsFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    espaceOperateur: z.strictObject({
      /** API root, `<deploycenter>/api/v1.0/`. */
      url: httpUrl,
      /** Service ids are per deployment (the public dataset has Messages 2, Fichiers 12). */
      serviceIds: z.strictObject({ messages: z.number().int().positive(), fichiers: z.number().int().positive() }),
      ...clientSettings,
    }),
    messages: z.strictObject({
      /** Messages' API root, `<messages>/api/v1.0/` (provisioning DNS listing and usage metrics). */
      url: httpUrl,
      /** The global channel that reads the provisioning DNS listing (not a secret; its key is). */
      channelId: z.uuid().nullable().default(null),
      dkimSelector: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).default("stmessages"),
      ...clientSettings,
    }),
    /** Fichiers (Drive): its external API root, `<drive>/external_api/v1.0/`, for usage metrics; absent until configured. */
    fichiers: z.strictObject({ url: httpUrl, ...clientSettings }).optional(),
    operators: z.array(operatorSchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>();
    const memberOf = new Map<string, string>();
    const epciOf = new Map<string, string>();
    file.operators.forEach((op, i) => {
      for (const id of [op.name, op.siren].filter((x): x is string => x !== null)) {
        if (seen.has(id)) ctx.addIssue({ code: "custom", path: ["operators", i], message: `"${id}" is also used by operator ${seen.get(id)}` });
        seen.set(id, op.name);
      }
      for (const key of op.members) {
        const other = memberOf.get(key);
        if (other) ctx.addIssue({ code: "custom", path: ["operators", i, "members"], message: `commune ${key} is already a member of operator ${other}` });
        memberOf.set(key, op.name);
      }
      for (const siren of op.epcis) {
        const other = epciOf.get(siren);
        if (other) ctx.addIssue({ code: "custom", path: ["operators", i, "epcis"], message: `EPCI ${siren} is already a member of operator ${other}` });
        epciOf.set(siren, op.name);
      }
    });
    const direct = file.operators.filter((o) => o.directEnrolments);
    if (direct.length > 1) ctx.addIssue({ code: "custom", path: ["operators"], message: `only one operator may hold direct enrolments; ${direct.map((o) => o.name).join(", ")} all say directEnrolments: true` });
  });
export type OperatorsFile = z.output<typeof operatorsFileSchema>;

export const OPERATORS_FILE = dataPath("operators.json");

export function loadOperators(path = OPERATORS_FILE): OperatorsFile {
  return readJsonFile(path, operatorsFileSchema, `operators configuration ${path}`);
}

/** Finds an operator by name or SIREN, as `--operator` takes it. */
export function findOperator(file: OperatorsFile, query: string): Operator {
  const q = query.trim().toLowerCase().replace(/\s+/g, "");
  const found = file.operators.find((o) => o.name === q || o.siren === q);
  if (!found) {
    const known = file.operators.map((o) => (o.siren ? `${o.name} (${o.siren})` : o.name)).join(", ") || "none";
    throw new InputError(`--operator ${quoteInput(query)} matches no configured operator; known operators: ${known}.`, "not-found");
  }
  return found;
}

/** The environment variable holding an operator's Espace Opérateur key: DOMAINES_EO_TOKEN_CDG48. */
export function tokenEnvVar(operator: Pick<Operator, "name">): string {
  return `DOMAINES_EO_TOKEN_${operator.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export const MESSAGES_API_KEY_ENV = "DOMAINES_MESSAGES_API_KEY";
export const MESSAGES_CHANNEL_ENV = "DOMAINES_MESSAGES_CHANNEL_ID";
/** Keys of the usage-metric endpoints (Messages: Bearer; Fichiers: Api-Key). */
export const MESSAGES_METRICS_KEY_ENV = "DOMAINES_MESSAGES_METRICS_KEY";
export const FICHIERS_METRICS_KEY_ENV = "DOMAINES_FICHIERS_METRICS_KEY";

/** The operator through which ANCT deploys directly (contract art. 3.3), if one is configured. */
export function directOperator(file: OperatorsFile): Operator | null {
  return file.operators.find((o) => o.directEnrolments) ?? null;
}

/** Reads a secret from the environment; missing is an input error that says which variable to set. */
export function secretFromEnv(name: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new InputError(`${purpose} needs the environment variable ${name} (a secret: never put it in a file or on the command line).`);
  return value;
}

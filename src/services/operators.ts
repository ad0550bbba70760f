import { z } from "zod";
import { InputError, quoteInput } from "../errors.js";
import { dataPath } from "../paths.js";
import { readJsonFile } from "../json-file.js";

const communeKey = z.string().regex(/^(\d{9}|insee:\d{5})$/, "a commune key: its SIREN (9 digits) or insee:<code>");
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => (u.endsWith("/") ? u : `${u}/`));

export const operatorSchema = z.strictObject({
  /** Short name used on the command line and in the token's environment variable. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, "lowercase letters, digits and hyphens, such as cdg48"),
  title: z.string().min(1),
  /** The structure's SIREN; null until it has been checked in the SIRENE register. */
  siren: z.string().regex(/^\d{9}$/, "9 digits").nullable(),
  /** The operator id in the Espace Opérateur (`operators/{id}/...`). */
  espaceOperateurId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "letters, digits, dot, underscore or hyphen (it goes into a URL path)"),
  /** True for illustrative entries whose ids are not real: commands warn before using them. */
  example: z.boolean().default(false),
  /** Member communes by commune key (SIREN, or insee:<code> where there is none). */
  members: z.array(communeKey).min(1).refine((m) => new Set(m).size === m.length, "a commune is listed twice"),
});
export type Operator = z.output<typeof operatorSchema>;

/** What a command may spend on a service (defaults: HTTP_LIMITS in src/services/http.ts). */
function httpLimits() {
  return {
    /** The whole command, pagination and retries included. */
    budgetMs: z.number().int().min(1000).max(3_600_000).optional(),
    /** One response body, in bytes. */
    maxResponseBytes: z.number().int().min(65_536).max(1e9).optional(),
    /** All response bodies of one command, in bytes. */
    maxTotalBytes: z.number().int().min(65_536).max(4e9).optional(),
  };
}

export const operatorsFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    espaceOperateur: z.strictObject({
      /** API root, `<deploycenter>/api/v1.0/`. */
      url: httpUrl,
      /** Service ids are per deployment (the public dataset has Messages 2, Fichiers 12). */
      serviceIds: z.strictObject({ messages: z.number().int().positive(), fichiers: z.number().int().positive() }),
      timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
      retries: z.number().int().min(0).max(10).default(3),
      ...httpLimits(),
    }),
    messages: z.strictObject({
      /** Messages' API root, `<messages>/api/v1.0/`. */
      url: httpUrl,
      /** The global channel that reads the provisioning DNS listing (not a secret; its key is). */
      channelId: z.uuid().nullable().default(null),
      dkimSelector: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).default("stmessages"),
      timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
      retries: z.number().int().min(0).max(10).default(3),
      ...httpLimits(),
    }),
    operators: z.array(operatorSchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>();
    const memberOf = new Map<string, string>();
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
    });
  });
export type OperatorsFile = z.output<typeof operatorsFileSchema>;

export function loadOperators(path = dataPath("operators.json")): OperatorsFile {
  return readJsonFile(path, operatorsFileSchema, `operators configuration ${path}`);
}

/** Finds an operator by name or SIREN, as `--operator` takes it. */
export function findOperator(file: OperatorsFile, query: string): Operator {
  const q = query.trim().toLowerCase().replace(/\s+/g, "");
  const found = file.operators.find((o) => o.name === q || o.siren === q);
  if (!found) {
    const known = file.operators.map((o) => (o.siren ? `${o.name} (${o.siren})` : o.name)).join(", ") || "none";
    throw new InputError(`--operator ${quoteInput(query)} matches no configured operator; known operators: ${known}.`);
  }
  return found;
}

/** Each member commune's operator (a commune belongs to at most one: the schema checks it). */
export function operatorsByMember(file: OperatorsFile): Map<string, Operator> {
  const index = new Map<string, Operator>();
  for (const o of file.operators) for (const key of o.members) index.set(key, o);
  return index;
}

/** The environment variable holding an operator's Espace Opérateur key: DOMAINES_EO_TOKEN_CDG48. */
export function tokenEnvVar(operator: Pick<Operator, "name">): string {
  return `DOMAINES_EO_TOKEN_${operator.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export const MESSAGES_API_KEY_ENV = "DOMAINES_MESSAGES_API_KEY";
export const MESSAGES_CHANNEL_ENV = "DOMAINES_MESSAGES_CHANNEL_ID";

/** Reads a secret from the environment; missing is an input error that says which variable to set. */
export function secretFromEnv(name: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new InputError(`${purpose} needs the environment variable ${name} (a secret: never put it in a file or on the command line).`);
  return value;
}

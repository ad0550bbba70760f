import { openTokenStore, tokensLocation, TOKENS_ENV } from "../../auth/token-store.js";
import { tokenIdSchema } from "../../auth/tokens.js";
import { InputError, quoteInput } from "../../errors.js";
import { formatIssues } from "../../json-file.js";
import { expirySchema } from "../../operations/schemas.js";
import { createToken, listTokens, revokeToken } from "../../operations/tokens.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec, OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

export const TOKENS_OPTION: Record<string, OptionSpec> = {
  tokens: { type: "string", valueName: "FILE|URL", description: `the token store instead of the ledger's (tokens.json in its directory, or its database) (also ${TOKENS_ENV})` },
};

function store(ctx: CommandContext) {
  return openTokenStore(tokensLocation(ctx.string("tokens"), ctx.ws.ledgerLocation(), process.env), ctx.ws.env);
}

async function create(ctx: CommandContext): Promise<number> {
  const role = ctx.string("role");
  if (role === undefined) throw new InputError("--role is required: admin, operator (with --operator NAME), support or webhook.");
  const rawExpiry = ctx.string("expires");
  let expires;
  if (rawExpiry !== undefined) {
    const parsed = expirySchema.safeParse(rawExpiry);
    if (!parsed.success) throw new InputError(`--expires: ${formatIssues(parsed.error).trim()}`);
    expires = parsed.data;
  }
  const operator = ctx.string("operator");
  const created = await createToken(ctx.ws, await store(ctx), { actor: ctx.actor(), command: auditCommand("token", ctx, ["role", "operator", "expires"]) }, {
    role,
    ...(operator === undefined ? {} : { operator }),
    ...(expires === undefined ? {} : { expires }),
  });
  if (ctx.json) ctx.printJson(created);
  else {
    ctx.print(`Token ${created.id} (${created.role}${created.operator ? ` of ${created.operator}` : ""}), ${created.expiresAt ? `expires ${created.expiresAt}` : "never expires"}:`);
    ctx.print(created.token);
    ctx.print("It is shown once: only its hash is kept. Send it as `Authorization: Bearer <token>`.");
  }
  return 0;
}

async function list(ctx: CommandContext): Promise<number> {
  const listing = await listTokens(await store(ctx));
  if (ctx.json) ctx.printJson(listing);
  else {
    ctx.print(`Tokens in ${listing.store}:`);
    if (listing.tokens.length === 0) ctx.print("  none (domaines token create --role …)");
    for (const t of listing.tokens) {
      ctx.print(`  ${t.id}  ${t.state.padEnd(7)}  ${(t.operator ? `${t.role}:${t.operator}` : t.role).padEnd(20)}  created ${t.createdAt.slice(0, 10)} by ${t.createdBy}  ${t.expiresAt ? `expires ${t.expiresAt.slice(0, 10)}` : "no expiry"}${t.revokedAt ? `  revoked ${t.revokedAt.slice(0, 10)}` : ""}`);
    }
  }
  return 0;
}

async function revoke(ctx: CommandContext, id: string | undefined): Promise<number> {
  if (id === undefined) throw new InputError("`domaines token revoke` needs the token's id (from `domaines token list`).");
  if (!tokenIdSchema.safeParse(id).success) throw new InputError(`${quoteInput(id)} is not a token id; ids look like t0123456789ab (\`domaines token list\`).`);
  const r = await revokeToken(ctx.ws, await store(ctx), { actor: ctx.actor(), command: auditCommand("token", ctx, []) }, id);
  if (ctx.json) ctx.printJson(r);
  else ctx.print(r.alreadyRevoked ? `Token ${id} was already revoked (${r.revokedAt}).` : `Token ${id} revoked; a running server refuses it from its next request.`);
  return 0;
}

export const command: CommandSpec = {
  name: "token",
  summary: "create, list or revoke the API tokens of `domaines serve` (stored as hashes; a token is shown once)",
  usage: "create --role admin|operator|support|webhook [--operator NAME] [--expires 90d] [--json] | list [--json] | revoke ID [--json]",
  description:
    "Roles: admin (ANCT platform: everything), operator (one structure: writes on its member communes,\n" +
    "reads its own costs, members and audit lines), support (reads everything, writes nothing), webhook\n" +
    "(only POST /api/v1/hooks/espace-operateur; --operator binds it to one structure). --expires takes a\n" +
    "duration (90d, 12h, 30m), an ISO date, or never; default 90d. Creation and revocation are traced in\n" +
    "the audit log (never the token).",
  examples: ["domaines token create --role operator --operator cdg48 --expires 90d --json", "domaines token create --role webhook --expires 365d", "domaines token list", "domaines token revoke t0123456789ab"],
  options: {
    role: { type: "string", valueName: "ROLE", description: "admin, operator, support or webhook (create)" },
    operator: { type: "string", valueName: "NAME", description: "the structure an operator or webhook token acts for (create)" },
    expires: { type: "string", valueName: "WHEN", description: "90d, 12h, 30m, an ISO date, or never (create; default 90d)" },
    ...TOKENS_OPTION,
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 1, max: 2, name: "subcommand" },
  async run(ctx) {
    const [sub, arg] = ctx.positionals;
    if (sub !== "revoke" && arg !== undefined) throw new InputError(`\`domaines token ${sub}\` takes no further argument (got ${quoteInput(arg)}).`);
    if (sub === "create") return create(ctx);
    if (sub === "list") return list(ctx);
    if (sub === "revoke") return revoke(ctx, arg);
    throw new InputError(`unknown token subcommand ${quoteInput(sub ?? "")}; use create, list or revoke.`);
  },
};

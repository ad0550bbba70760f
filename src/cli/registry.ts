import type { CommandSpec } from "./command.js";

interface Entry {
  name: string;
  summary: string;
  load: () => Promise<{ command: CommandSpec }>;
}

/** Every command, with its one-line summary (kept here so `--help` loads no command module). */
export const COMMANDS: Entry[] = [
  { name: "names", summary: "list every current commune (or one département) with its computed label", load: () => import("./commands/names.js") },
  { name: "check", summary: "which communes a name, code, label or domain designates, and why its label is what it is", load: () => import("./commands/check.js") },
  { name: "allocate", summary: "give communes their label in the ledger (idempotent: a commune keeps the label it has)", load: () => import("./commands/allocate.js") },
  { name: "onboard", summary: "enrol a commune in services (allocating its label if needed), with optional quota overrides", load: () => import("./commands/onboard.js") },
  { name: "offboard", summary: "end a commune's enrolment in services; its label stays its own (never back to the pool)", load: () => import("./commands/offboard.js") },
  { name: "undelegate", summary: "move a delegated label's records back into the parent zone (a report first, --apply to write)", load: () => import("./commands/undelegate.js") },
  { name: "import", summary: "record legacy labels already live (siren|insee,label), kept as they are and flagged legacy", load: () => import("./commands/import.js") },
  { name: "cog-sync", summary: "compare the ledger with the current commune data (renames, mergers, INSEE changes, homonyms, disappearances)", load: () => import("./commands/cog-sync.js") },
  { name: "export", summary: "the whole ledger as JSON or CSV (reversibility), or the DNS zone file of the desired records", load: () => import("./commands/export.js") },
  { name: "ledger", summary: "the ledger's store: `migrate-schema` (PostgreSQL), `copy --from <dir|url> --to <dir|url>`", load: () => import("./commands/ledger.js") },
  { name: "validate", summary: "check the ledger's invariants and that it equals its audit log replayed", load: () => import("./commands/validate.js") },
  { name: "plan", summary: "what the DNS zone would contain, and the diff against a stack's applied snapshot", load: () => import("./commands/plan.js") },
  { name: "verify", summary: "ask a DNS server for a commune's records and compare them with the model (RPNT mail criteria too)", load: () => import("./commands/verify.js") },
  { name: "cost", summary: "what a mutualisation structure pays: partnership fee, storage ceiling of its quotas, actual usage", load: () => import("./commands/cost.js") },
  { name: "quotas", summary: "the Espace Opérateur subscriptions the model wants: domains and quotas per enrolled commune and service", load: () => import("./commands/quotas.js") },
  { name: "members", summary: "list, add or remove the member communes and intercommunalités (EPCI) of a mutualisation structure", load: () => import("./commands/members.js") },
  { name: "usage-sync", summary: "read storage used per commune from Messages and Fichiers into the usage history (one sample a day)", load: () => import("./commands/usage-sync.js") },
  { name: "dkim-sync", summary: "read the DKIM keys Messages generated for the communes' mail domains into the DKIM store", load: () => import("./commands/dkim-sync.js") },
  { name: "serve", summary: "the HTTP API (JSON, bearer tokens, problem+json errors) and the French support pages, on the ledger", load: () => import("./commands/serve.js") },
  { name: "token", summary: "create, list or revoke the API tokens of `domaines serve` (stored as hashes; a token is shown once)", load: () => import("./commands/token.js") },
  { name: "reconcile", summary: "compare a structure's Espace Opérateur subscriptions with the ledger's enrolments (a missed webhook is never retried)", load: () => import("./commands/reconcile.js") },
];

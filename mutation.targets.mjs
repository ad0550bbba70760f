/**
 * What `npm run mutation` (Stryker, vitest runner) mutates, and the in-process tests that
 * guard it: the safety-critical modules whose silent breakage would delete live records or
 * subscriptions, publish records that spoof or lose mail, accept a tampered ledger, or bill
 * a structure the wrong amount. To add a module, add an entry (its file and the tests that
 * must kill its mutants); both stryker.config.mjs and vitest.mutation.config.ts read this
 * list. Tests here must not need `npm run build` (mutants live in the sources, not in dist/).
 *
 * One module at a time (the run is CPU-heavy): `MUTATION_MODULE=guard npm run mutation`
 * mutates the targets whose path contains that text (a comma-separated list is allowed)
 * and runs only their tests. Without it, every target.
 */
export const mutationTargets = [
  { module: "infra/guard.ts", tests: ["test/infra/guard.test.ts", "test/infra/stack-model.test.ts"] },
  { module: "infra/stack-model.ts", tests: ["test/infra/stack-model.test.ts"] },
  { module: "src/records/diff.ts", tests: ["test/records/diff.test.ts", "test/infra/guard.test.ts"] },
  { module: "src/records/transitions.ts", tests: ["test/records/transitions.test.ts", "test/records/diff.test.ts", "test/infra/guard.test.ts"] },
  { module: "src/records/applied.ts", tests: ["test/records/diff.test.ts", "test/infra/stack-model.test.ts"] },
  { module: "src/records/mail-policies.ts", tests: ["test/records/mail-policies.test.ts", "test/records/validate.test.ts"] },
  { module: "src/records/validate.ts", tests: ["test/records/validate.test.ts"] },
  { module: "src/ledger/invariants.ts", tests: ["test/ledger/invariants.test.ts", "test/ledger/rules.test.ts"] },
  // The replay of the audit log (entry validation, line parsing, replayAudit); the rest of audit.ts (settling, the digest chain at write time) is covered by the CLI's crash and tamper tests, which run the build.
  // Lines 139-145 (where an entry's text is cut from the line) are left out: that text is only a cache key, and a wrong cut falls back to re-serialising the value, so each of its 24 mutants survives as an equivalent (docs/mutation.md).
  { module: "src/ledger/audit.ts:113-138", tests: ["test/ledger/audit-replay.test.ts"] },
  { module: "src/ledger/audit.ts:146-150", tests: ["test/ledger/audit-replay.test.ts"] },
  { module: "src/ledger/audit.ts:320-415", tests: ["test/ledger/audit-replay.test.ts"] },
  { module: "src/services/fee.ts", tests: ["test/services/fee.test.ts", "test/services/cost.test.ts"] },
  { module: "src/services/cost.ts", tests: ["test/services/cost.test.ts"] },
];

/** The targets a run covers: those named by MUTATION_MODULE (substrings of their paths), else all. */
export function selectedTargets(filter = process.env.MUTATION_MODULE ?? "") {
  const wanted = filter.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (wanted.length === 0) return mutationTargets;
  const chosen = mutationTargets.filter((t) => wanted.some((w) => t.module.includes(w)));
  if (chosen.length === 0) throw new Error(`MUTATION_MODULE=${filter} names none of the mutation targets: ${mutationTargets.map((t) => t.module).join(", ")}`);
  return chosen;
}

const selected = selectedTargets();
export const mutatedModules = selected.map((t) => t.module);
export const mutationTests = [...new Set(selected.flatMap((t) => t.tests))];
/** A short name for the selection (report and incremental file names): `guard`, `audit`, or `all`. */
export const selectionName = selected.length === mutationTargets.length ? "all" : [...new Set(selected.map((t) => t.module.replace(/^.*\//, "").replace(/\.ts(:.*)?$/, "")))].join("+");

/**
 * What `npm run mutation` (Stryker, vitest runner) mutates, and the in-process tests that
 * guard it: the safety-critical modules whose silent breakage would delete live records or
 * subscriptions, or publish records that spoof or lose mail. To add a module, add an entry
 * (its file and the tests that must kill its mutants); both stryker.config.mjs and
 * vitest.mutation.config.ts read this list. Tests here must not need `npm run build`
 * (mutants live in the sources, not in dist/).
 */
export const mutationTargets = [
  { module: "infra/guard.ts", tests: ["test/infra/guard.test.ts", "test/infra/stack-model.test.ts"] },
  { module: "infra/stack-model.ts", tests: ["test/infra/stack-model.test.ts"] },
  { module: "src/records/diff.ts", tests: ["test/records/diff.test.ts", "test/infra/guard.test.ts"] },
  { module: "src/records/transitions.ts", tests: ["test/records/diff.test.ts", "test/infra/guard.test.ts"] },
  { module: "src/records/applied.ts", tests: ["test/records/diff.test.ts", "test/infra/stack-model.test.ts"] },
  { module: "src/records/mail-policies.ts", tests: ["test/records/mail-policies.test.ts", "test/records/validate.test.ts"] },
  { module: "src/records/validate.ts", tests: ["test/records/validate.test.ts"] },
];

export const mutatedModules = mutationTargets.map((t) => t.module);
export const mutationTests = [...new Set(mutationTargets.flatMap((t) => t.tests))];

// @ts-check
import { mutatedModules, selectionName } from "./mutation.targets.mjs";

/**
 * Mutation testing of the safety-critical modules (`npm run mutation`, niced): each
 * mutant is a deliberate bug, and the tests listed in mutation.targets.mjs must notice
 * it. `MUTATION_MODULE=audit npm run mutation` runs one module (and only its tests); add
 * `-- --incremental` to re-test only the mutants whose code or tests changed since the
 * last run of the same selection. Reports land in reports/mutation/<selection>/ (git-ignored).
 * One worker by default: the machine is shared (STRYKER_CONCURRENCY to change it).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: mutatedModules,
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${selectionName}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${selectionName}/mutation.json` },
  incrementalFile: `reports/mutation/${selectionName}/incremental.json`,
  thresholds: { high: 95, low: 90, break: 90 },
  ignorePatterns: ["dist", "build", "reports", ".pulumi", "bench"],
  tempDirName: ".stryker-tmp",
  timeoutMS: 30_000,
};

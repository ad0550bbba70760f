// @ts-check
import { mutatedModules } from "./mutation.targets.mjs";

/**
 * Mutation testing of the safety-critical modules (`npm run mutation`, niced): each
 * mutant is a deliberate bug, and the tests listed in mutation.targets.mjs must notice
 * it. The report lands in reports/mutation/ (git-ignored).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: mutatedModules,
  coverageAnalysis: "perTest",
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 90 },
  ignorePatterns: ["dist", "build", "reports", ".pulumi", "bench"],
  tempDirName: ".stryker-tmp",
  timeoutMS: 30_000,
};

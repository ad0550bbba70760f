import { defineConfig } from "vitest/config";
// @ts-expect-error plain ESM data module shared with stryker.config.mjs
import { mutationTests } from "./mutation.targets.mjs";

/**
 * The tests `npm run mutation` runs against each mutant: in-process only, no build (see
 * mutation.targets.mjs). Not isolated: they are pure, and re-importing every module for
 * each of some 2,300 mutants would cost more than the tests themselves.
 */
export default defineConfig({
  test: {
    include: mutationTests as string[],
    testTimeout: 60_000,
    isolate: false,
  },
});

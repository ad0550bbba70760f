// Fuzzy suggestions (src/naming/fuzzy.ts): cost of building the index over the whole COG and
// of one search, as whole processes against a Node process that only loads the communes.
// Per search = (median of build + N searches − median of build) / N. Run after `npm run build`:
//   node bench/fuzzy.mjs [runs] [searches]
import { compare } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 7);
const searches = Number(process.argv[3] ?? 5000);
const RUN = "bench/support/fuzzy-run.mjs";

const rows = compare(
  "Fuzzy suggestions: whole processes",
  [
    { name: "baseline: load the communes (as the CLI does)", args: [RUN, "load"], baseline: true },
    { name: "load + build the fuzzy index", args: [RUN, "build", "0"] },
    { name: `load + build + ${searches} searches (one letter dropped)`, args: [RUN, "build", String(searches)] },
  ],
  { runs },
);
const [base, build, searched] = rows;
const buildMs = build.median_ms - base.median_ms;
const perSearchMs = (searched.median_ms - build.median_ms) / searches;
console.log(`index build: ${buildMs} ms over the baseline (${(build.median_ms / base.median_ms).toFixed(2)}× the baseline process)`);
console.log(`one search: ${(perSearchMs * 1000).toFixed(0)} µs (${((perSearchMs / base.median_ms) * 100).toFixed(3)} % of the baseline process)`);

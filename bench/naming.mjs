// Issue 2 benchmark: labels for all communes, and the CLI's cold start for `check`,
// against a Node process that only loads the bundled commune JSON. Run after `npm run build`:
//   node bench/naming.mjs [runs]
import { compare } from "./support/harness.mjs";

const runs = Number(process.argv[2] ?? 7);
const BASELINE = "JSON.parse(require('fs').readFileSync(require.resolve('@etalab/decoupage-administratif/data/communes.json'),'utf8'))";

compare(
  "Naming: whole processes",
  [
    { name: "baseline: node loading communes.json", args: ["-e", BASELINE], baseline: true },
    { name: "labels of all communes (library, no output)", args: ["bench/support/labels-all.mjs"], target: "≤ 2×" },
    { name: "domaines names --json (all, to stdout)", args: ["dist/src/cli/main.js", "names", "--json"] },
    { name: "domaines check mende (cold start)", args: ["dist/src/cli/main.js", "check", "mende"], target: "≤ 2×" },
    { name: "domaines check saint-denis --json", args: ["dist/src/cli/main.js", "check", "saint-denis", "--json"] },
  ],
  { runs },
);

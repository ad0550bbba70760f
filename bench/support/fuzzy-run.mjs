// One process of bench/fuzzy.mjs: loads the communes as the CLI does, then (stage "build")
// builds the fuzzy index, then runs COUNT searches of typo'd names (one letter dropped,
// deterministic). Prints one JSON line: what it did and how many searches found their commune.
//   node bench/support/fuzzy-run.mjs load|build [count]
import { loadCommunes } from "../../dist/src/communes/load.js";
import { buildFuzzyIndex } from "../../dist/src/naming/fuzzy.js";

const [stage = "load", countArg = "0"] = process.argv.slice(2);
const count = Number(countArg);
const { communes } = loadCommunes();
if (stage === "load") {
  process.stdout.write(`${JSON.stringify({ stage, communes: communes.length })}\n`);
  process.exit(0);
}
const index = buildFuzzyIndex(communes);
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
let found = 0;
for (let i = 0; i < count; i++) {
  const c = communes[Math.floor((i * communes.length) / count)];
  const chars = [...c.name];
  const letters = chars.flatMap((ch, j) => (/\p{L}/u.test(ch) ? [j] : []));
  chars.splice(letters[Math.floor(random() * letters.length)], 1);
  if (index.search(chars.join(""), 3).some((h) => h.communes.includes(c))) found++;
}
process.stdout.write(`${JSON.stringify({ stage, forms: index.forms, searches: count, found })}\n`);

// 1,000 `check`-style queries in one process, through the library as `domaines check`
// does them (normalise, look up, read the ledger lines about the query); the ledger file
// is re-read for every query, as a fresh `check` would. Prints one JSON line of timings.
//   node bench/ledger-check-batch.mjs LEDGER_DIR [count] [--queries]
import { loadCommunes } from "../dist/src/communes/load.js";
import { loadConfig } from "../dist/src/config/load.js";
import { bundledHistory } from "../dist/src/communes/history.js";
import { indexLedger } from "../dist/src/ledger/entries.js";
import { designate } from "../dist/src/ledger/resolve.js";
import { readLedgerMentioning } from "../dist/src/ledger/store.js";
import { computeLabels } from "../dist/src/naming/labels.js";
import { scanFinder } from "../dist/src/naming/lookup.js";
import { normalizeQuery } from "../dist/src/naming/query.js";
import { loadReservedLabels } from "../dist/src/naming/reserved.js";

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1000);
const t0 = performance.now();
const { communes } = loadCommunes();
const reserved = loadReservedLabels();
const labels = computeLabels(communes, { reserved });
const zone = loadConfig().zone;
const history = bundledHistory();
const finder = scanFinder(communes, labels); // as a single `check` does
const setupMs = performance.now() - t0;

// A deterministic mix: names, labels, FQDNs, SIRENs, INSEE codes, and labels nobody holds.
const step = Math.floor(communes.length / count);
const queries = Array.from({ length: count }, (_, i) => {
  const c = communes[i * step];
  const label = labels.get(c.key).label;
  switch (i % 6) {
    case 0: return c.name;
    case 1: return label;
    case 2: return `${label}.${zone}`;
    case 3: return c.siren ?? c.insee;
    case 4: return c.insee;
    default: return `libre-${i}`;
  }
});

// `--queries`: print the mix, for `domaines check --stdin` in bench/ledger.mjs.
if (process.argv.includes("--queries")) {
  process.stdout.write(`${queries.join("\n")}\n`);
  process.exit(0);
}

let known = 0;
const t1 = performance.now();
for (const q of queries) {
  const n = normalizeQuery(q, zone);
  const isLabel = n.kind === "label-or-name" || n.kind === "fqdn";
  const first = isLabel ? await readLedgerMentioning(dir, [n.value]) : [];
  const d = designate(n, finder, indexLedger(first), history);
  const entries = await readLedgerMentioning(dir, [...(isLabel ? [n.value] : []), ...d.communes.map((m) => m.commune.key)]);
  if (d.communes.length > 0 || d.former.length > 0 || entries.some((e) => e.label === n.value)) known++;
}
const queryMs = performance.now() - t1;
console.log(JSON.stringify({ queries: count, answered: known, setupMs: Math.round(setupMs), totalQueryMs: Math.round(queryMs), perQueryMs: Number((queryMs / count).toFixed(2)) }));

// Child of bench/records.mjs: the stages of `export --format zone` in one process, timed
// separately (wall ms), printed as one JSON line: read ledger, read DKIM store, model,
// validation, zone rendering. Usage: node bench/records-stages.mjs LEDGER_DIR DKIM_FILE
import { loadConfig } from "../dist/src/config/load.js";
import { readLedger } from "../dist/src/ledger/store.js";
import { loadDkimStore } from "../dist/src/records/dkim-store.js";
import { desiredZone, renderZone, validateZone } from "../dist/src/records/index.js";

const [ledgerDir, dkimFile] = process.argv.slice(2);
const times = {};
const stage = (name, f) => {
  const start = performance.now();
  const out = f();
  times[name] = performance.now() - start;
  return out;
};
const config = loadConfig();
const entries = stage("readLedger", () => readLedger(ledgerDir));
const dkim = stage("readDkim", () => loadDkimStore(dkimFile));
const desired = stage("model", () => desiredZone(entries, config, dkim));
const problems = stage("validate", () => validateZone(desired));
const text = stage("render", () => renderZone(desired));
if (problems.length > 0 || text.length === 0) throw new Error("bench zone is not valid");
process.stdout.write(`${JSON.stringify(times)}\n`);

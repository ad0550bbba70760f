// Loads the communes as the CLI does and computes every label; prints only the count.
import { loadCommunes } from "../../dist/src/communes/load.js";
import { computeLabels } from "../../dist/src/naming/labels.js";
import { loadReservedLabels } from "../../dist/src/naming/reserved.js";

const { communes } = loadCommunes();
const labels = computeLabels(communes, { reserved: loadReservedLabels() });
process.stdout.write(`${labels.size}\n`);

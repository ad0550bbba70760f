/** Build step: validate the bundled COG (with its computed labels) and the commune history once, and write them into dist/. */
import { replaceDurably } from "../ledger/fsync.js";
import { computeLabels } from "../naming/labels.js";
import { parseReservedList, readReservedText } from "../naming/reserved.js";
import { slugify } from "../naming/slug.js";
import { compiledPath, compiledText, installedPackageVersion, PACKAGE } from "./compiled.js";
import { historyCompiledPath, historyDataPath, readHistoryFile } from "./history.js";
import { bundledCommunesPath, validateCommunesFile } from "./load.js";

const data = validateCommunesFile(bundledCommunesPath());
const communes = data.communes.map((c) => ({ ...c, slug: slugify(c.name) }));
const reservedText = readReservedText();
const labels = computeLabels(communes, { reserved: parseReservedList(reservedText) });
replaceDurably(compiledPath(), compiledText({ ...data, communes }, labels, reservedText));

// The history must end at the COG installed: after a bump of the package, regenerate it.
const history = readHistoryFile(historyDataPath());
const newest = history.snapshots.at(-1)!;
if (newest.version !== installedPackageVersion()) {
  process.stderr.write(`${historyDataPath()} was built up to ${PACKAGE} ${newest.version}, but ${installedPackageVersion()} is installed: add the previous version as a devDependency alias (see src/communes/history-sources.ts), run \`npm run history\` and commit the file.\n`);
  process.exit(1);
}
replaceDurably(historyCompiledPath(), JSON.stringify(history));

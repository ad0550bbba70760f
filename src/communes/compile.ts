/** Build step: validate the bundled COG once and write dist/communes.compiled.json (with its computed labels). */
import { replaceDurably } from "../ledger/fsync.js";
import { computeLabels } from "../naming/labels.js";
import { parseReservedList, readReservedText } from "../naming/reserved.js";
import { slugify } from "../naming/slug.js";
import { compiledPath, compiledText } from "./compiled.js";
import { bundledCommunesPath, validateCommunesFile } from "./load.js";

const data = validateCommunesFile(bundledCommunesPath());
const communes = data.communes.map((c) => ({ ...c, slug: slugify(c.name) }));
const reservedText = readReservedText();
const labels = computeLabels(communes, { reserved: parseReservedList(reservedText) });
replaceDurably(compiledPath(), compiledText({ ...data, communes }, labels, reservedText));

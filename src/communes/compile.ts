/** Build step: validate the bundled COG once and write dist/communes.compiled.json. */
import { replaceDurably } from "../ledger/fsync.js";
import { compiledPath, installedPackageVersion, PACKAGE, type CompiledCommunes } from "./compiled.js";
import { slugify } from "../naming/slug.js";
import { bundledCommunesPath, validateCommunesFile } from "./load.js";

const data = validateCommunesFile(bundledCommunesPath());
const communes = data.communes.map((c) => ({ ...c, slug: slugify(c.name) }));
const out: CompiledCommunes = { ...data, communes, compiledFrom: { package: PACKAGE, version: installedPackageVersion() } };
replaceDurably(compiledPath(), JSON.stringify(out));

/** Build step: validate the bundled COG once and write dist/communes.compiled.json. */
import { renameSync, writeFileSync } from "node:fs";
import { compiledPath, installedPackageVersion, PACKAGE, type CompiledCommunes } from "./compiled.js";
import { slugify } from "../naming/slug.js";
import { bundledCommunesPath, validateCommunesFile } from "./load.js";

const data = validateCommunesFile(bundledCommunesPath());
const communes = data.communes.map((c) => ({ ...c, slug: slugify(c.name) }));
const out: CompiledCommunes = { ...data, communes, compiledFrom: { package: PACKAGE, version: installedPackageVersion() } };
const path = compiledPath();
writeFileSync(`${path}.tmp`, JSON.stringify(out));
renameSync(`${path}.tmp`, path);

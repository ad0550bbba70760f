import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../errors.js";
import { dataPath } from "../paths.js";
import { dkimStoreSchema, type DkimStore } from "./dkim.js";

/** `--dkim FILE`, else DOMAINES_DKIM, else data/dkim.json. */
export function dkimStorePath(explicit?: string): string {
  const chosen = explicit ?? process.env.DOMAINES_DKIM;
  return resolve(chosen && chosen !== "" ? chosen : dataPath("dkim.json"));
}

/** The DKIM keys, validated; a missing file means every DKIM record is pending. */
export function loadDkimStore(path: string): DkimStore {
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read the DKIM store ${path}: ${(err as Error).message}. It must be a JSON object keyed by mail domain.`);
  }
  const parsed = dkimStoreSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new InputError(`the DKIM store ${path} is invalid:\n${problems.join("\n")}\nEach entry is "<fqdn>": {"selector": "stmessages", "value": "v=DKIM1; k=rsa; p=…", "fetchedAt": "<ISO date>"}.`);
  }
  return parsed.data;
}

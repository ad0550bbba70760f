import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readJsonFile } from "../json-file.js";
import { dataPath } from "../paths.js";
import { dkimStoreSchema, type DkimStore } from "./dkim.js";

/** `--dkim FILE`, else DOMAINES_DKIM, else data/dkim.json. */
export function dkimStorePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env.DOMAINES_DKIM;
  return resolve(chosen && chosen !== "" ? chosen : dataPath("dkim.json"));
}

/** The DKIM keys, validated; a missing file means every DKIM record is pending. */
export function loadDkimStore(path: string): DkimStore {
  if (!existsSync(path)) return {};
  return readJsonFile(path, dkimStoreSchema, `the DKIM store ${path}`, {
    unreadable: "It must be a JSON object keyed by mail domain.",
    invalid: 'Each entry is "<fqdn>": {"selector": "stmessages", "value": "v=DKIM1; k=rsa; p=…", "fetchedAt": "<ISO date>"}.',
    maxIssues: 20,
  });
}

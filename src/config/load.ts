import { readFileSync } from "node:fs";
import { InputError } from "../errors.js";
import { dataPath } from "../paths.js";
import { configSchema, type DomainesConfig } from "./schema.js";

export type { DomainesConfig };

export function defaultConfigPath(): string {
  return dataPath("config.json");
}

/** Reads and validates the deployment configuration; every problem names its key. */
export function loadConfig(file?: string): DomainesConfig {
  const path = file ?? defaultConfigPath();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`cannot read configuration ${path}: ${e.code ?? e.message}. Pass a valid JSON file with --config FILE.`);
  }
  return parseConfig(json, path);
}

export function parseConfig(json: unknown, source: string): DomainesConfig {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    throw new InputError(`configuration ${source} is invalid:\n${problems}`);
  }
  return parsed.data;
}

import { readJsonFile, parseWith } from "../json-file.js";
import { dataPath } from "../paths.js";
import { configSchema, type DomainesConfig } from "./schema.js";

export type { DomainesConfig };

export function defaultConfigPath(): string {
  return dataPath("config.json");
}

/** Reads and validates the deployment configuration; every problem names its key. */
export function loadConfig(file?: string): DomainesConfig {
  const path = file ?? defaultConfigPath();
  return readJsonFile(path, configSchema, `configuration ${path}`, { unreadable: "Pass a valid JSON file with --config FILE." });
}

export function parseConfig(json: unknown, source: string): DomainesConfig {
  return parseWith(configSchema, json, `configuration ${source}`);
}

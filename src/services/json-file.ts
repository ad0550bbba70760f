import { readFileSync } from "node:fs";
import type { z } from "zod";
import { InputError } from "../errors.js";

/** Lists zod issues one per line with the path of the offending key. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
}

/** Validates parsed JSON; every problem names the file and the key to fix. */
export function parseWith<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InputError(`${what} is invalid:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads a JSON file and validates it; `what` names it in errors ("quota policy data/quota-policy.json"). */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} is not valid JSON: ${(err as Error).message}.`);
  }
  return parseWith(schema, json, what);
}

import type { z } from "zod";
import { InputError } from "./errors.js";
import { readInputText } from "./input-file.js";

/** Lists zod issues one per line with the path of the offending key (at most `max` of them). */
export function formatIssues(error: z.ZodError, max = Infinity): string {
  return error.issues
    .slice(0, max)
    .map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("\n");
}

/** How a JSON file is named in errors, and what to tell the user beyond the problem itself. */
export interface JsonFileHelp {
  /** After a read or JSON error ("Pass a valid JSON file with --config FILE."). */
  unreadable?: string;
  /** After the list of invalid keys (an example of a valid entry). */
  invalid?: string;
  /** At most this many invalid keys are listed. */
  maxIssues?: number;
}

/** Validates parsed JSON; every problem names the file and the key to fix. */
export function parseWith<S extends z.ZodType>(schema: S, json: unknown, what: string, help: JsonFileHelp = {}): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${what} is invalid:\n${formatIssues(parsed.error, help.maxIssues)}${help.invalid ? `\n${help.invalid}` : ""}`);
  }
  return parsed.data;
}

/** Reads a JSON file and validates it; `what` names it in errors ("quota policy data/quota-policy.json"). */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string, help: JsonFileHelp = {}): z.output<S> {
  const after = help.unreadable ? ` ${help.unreadable}` : "";
  const text = readInputText(path, what, help.unreadable ? { hint: help.unreadable } : {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} is not valid JSON: ${(err as Error).message}.${after}`);
  }
  return parseWith(schema, json, what, help);
}

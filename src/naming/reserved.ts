import { readFileSync } from "node:fs";
import { dataPath } from "../paths.js";
import { parseReservedList } from "./label.js";

export { parseReservedList };

/** The reviewed reserved list's text (data/reserved-labels.txt). */
export function readReservedText(path = dataPath("reserved-labels.txt")): string {
  return readFileSync(path, "utf8");
}

/** The reviewed reserved list in data/reserved-labels.txt. */
export function loadReservedLabels(path = dataPath("reserved-labels.txt")): Set<string> {
  return parseReservedList(readReservedText(path));
}

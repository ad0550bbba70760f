import { readFileSync } from "node:fs";
import { dataPath } from "../paths.js";
import { parseReservedList } from "./label.js";

/** The reviewed reserved list in data/reserved-labels.txt. */
export function loadReservedLabels(path = dataPath("reserved-labels.txt")): Set<string> {
  return parseReservedList(readFileSync(path, "utf8"));
}

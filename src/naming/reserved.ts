import { readInputText } from "../input-file.js";
import { dataPath } from "../paths.js";
import { parseReservedList } from "./label.js";

/** The reviewed reserved list in data/reserved-labels.txt. */
export function loadReservedLabels(path = dataPath("reserved-labels.txt")): Set<string> {
  return parseReservedList(readInputText(path, `reserved labels list ${path}`, { maxBytes: 1_000_000 }));
}

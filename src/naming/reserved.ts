import { readInputText } from "../input-file.js";
import { dataPath } from "../paths.js";
import { parseReservedList } from "./label.js";

export { parseReservedList };

/** The reviewed reserved list's text (data/reserved-labels.txt), read with a ceiling. */
export function readReservedText(path = dataPath("reserved-labels.txt")): string {
  return readInputText(path, `reserved labels list ${path}`, { maxBytes: 1_000_000 });
}

/** The reviewed reserved list in data/reserved-labels.txt. */
export function loadReservedLabels(path = dataPath("reserved-labels.txt")): Set<string> {
  return parseReservedList(readReservedText(path));
}

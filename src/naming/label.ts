/** LDH label rules (RFC 1035/5891) plus the project's reserved names. Pure functions. */
const LDH_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export type LabelProblem =
  | { rule: "empty"; message: string }
  | { rule: "ldh"; message: string }
  | { rule: "hyphen-34"; message: string }
  | { rule: "reserved"; message: string };

/** Why `label` cannot be allocated, or null when it can. `reserved` is the list from data/. */
export function labelProblem(label: string, reserved: ReadonlySet<string>): LabelProblem | null {
  if (label.length === 0) return { rule: "empty", message: "the label is empty" };
  if (label.startsWith("_")) return { rule: "reserved", message: `"${label}" starts with "_", which is reserved for service records (_dmarc, _domainkey, …)` };
  if (label.startsWith("xn--")) return { rule: "reserved", message: `"${label}" starts with "xn--", which is reserved for IDN A-labels` };
  if (!LDH_RE.test(label)) {
    const why = label.length > 63 ? `it is ${label.length} characters long (at most 63)` : "it must be 1-63 characters of a-z, 0-9 and inner hyphens";
    return { rule: "ldh", message: `"${label}" is not a valid DNS label: ${why}` };
  }
  if (label.length >= 4 && label[2] === "-" && label[3] === "-") {
    return { rule: "hyphen-34", message: `"${label}" has "--" in positions 3-4, reserved by RFC 5891 for encoded labels` };
  }
  if (reserved.has(label)) return { rule: "reserved", message: `"${label}" is on the reserved list (data/reserved-labels.txt)` };
  return null;
}

export function isValidLabel(label: string, reserved: ReadonlySet<string>): boolean {
  return labelProblem(label, reserved) === null;
}

/** Parses the reserved list: one label a line, `#` comments, blank lines ignored. */
export function parseReservedList(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim().toLowerCase();
    if (line) out.add(line);
  }
  return out;
}

import type { Commune } from "../communes/schema.js";
import { InputError } from "../errors.js";
import { labelProblem } from "../naming/label.js";
import type { ComputedLabel } from "../naming/labels.js";
import { indexLedger, newAllocatedEntry } from "./entries.js";
import type { LedgerEntry } from "./schema.js";

/** One row of a legacy-label CSV: `siren|insee,label`. */
export interface LegacyRow {
  line: number;
  id: string;
  label: string;
}

const HEADER_RE = /^\s*(siren|insee|key|code|commune)\s*[,;]\s*label\s*$/i;

/**
 * Parses `siren|insee,label` rows (`,` or `;`; optional header; blank lines and `#`
 * comments skipped). Every unreadable row is reported with its line; nothing is returned
 * unless all rows read.
 */
export function parseLegacyCsv(text: string, file: string, reserved: ReadonlySet<string>): LegacyRow[] {
  const rows: LegacyRow[] = [];
  const problems: string[] = [];
  text.replace(/^\uFEFF/, "").split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    if (rows.length === 0 && problems.length === 0 && HEADER_RE.test(raw)) return;
    const cells = raw.split(/[,;]/).map((c) => c.trim().replace(/^"(.*)"$/, "$1").trim());
    if (cells.length !== 2) {
      problems.push(`${file}:${line}: expected 2 columns (siren or insee code, label), found ${cells.length}`);
      return;
    }
    const [id, label] = cells as [string, string];
    if (!/^(\d{9}|\d{5}|2[ABab]\d{3}|insee:\d{5})$/.test(id)) {
      problems.push(`${file}:${line}: ${JSON.stringify(id.slice(0, 40))} is neither a SIREN (9 digits) nor an INSEE code (5 characters)`);
      return;
    }
    const invalid = labelProblem(label, reserved);
    if (invalid) {
      problems.push(`${file}:${line}: ${invalid.message}`);
      return;
    }
    rows.push({ line, id: id.toUpperCase().replace(/^INSEE:/, "insee:"), label });
  });
  if (problems.length > 0) {
    throw new InputError(`${file}: ${problems.length} unreadable row(s), nothing imported:\n  ${problems.slice(0, 30).join("\n  ")}${problems.length > 30 ? `\n  … and ${problems.length - 30} more` : ""}`);
  }
  return rows;
}

export interface ImportOutcome {
  line: number;
  key: string;
  insee: string;
  name: string;
  departement: string;
  label: string;
  status: "imported" | "existing";
}

export interface ImportPlan {
  put: LedgerEntry[];
  imported: ImportOutcome[];
  conflicts: string[];
  /** Contested labels recorded on request (allowContested). */
  warnings: string[];
}

/**
 * Labels the naming rules give to someone else: each current commune's computed label
 * (its key), and the bare slugs of homonym groups (the INSEE codes of the group).
 */
export interface ContestedLabels {
  computed: ReadonlyMap<string, string>;
  homonymSlugs: ReadonlyMap<string, readonly string[]>;
}

export function contestedLabels(computed: Iterable<ComputedLabel>, communes: readonly Commune[]): ContestedLabels {
  const inseeOf = new Map(communes.map((c) => [c.key, c.insee]));
  const byLabel = new Map<string, string>();
  const slugs = new Map<string, string[]>();
  for (const l of computed) {
    if (l.label !== null) byLabel.set(l.label, l.key);
    if (l.homonyms.length > 0 && !slugs.has(l.slug)) slugs.set(l.slug, [inseeOf.get(l.key) ?? l.key, ...l.homonyms].sort());
  }
  return { computed: byLabel, homonymSlugs: slugs };
}

/** Why giving `label` to commune `key` takes it from someone the naming rules give it to; null when it does not. */
export function contestedBy(label: string, key: string, contested: ContestedLabels, byKey: ReadonlyMap<string, Commune>): string | null {
  const owner = contested.computed.get(label);
  if (owner !== undefined && owner !== key) {
    const c = byKey.get(owner);
    return `label "${label}" is the computed label of ${c ? `${c.name} (${c.departement}, INSEE ${c.insee})` : owner}, another current commune`;
  }
  const group = contested.homonymSlugs.get(label);
  if (group) return `label "${label}" is the bare slug of a homonym group (${group.length} communes, INSEE ${group.slice(0, 5).join(", ")}${group.length > 5 ? ", …" : ""}), reserved for none of them`;
  return null;
}

/**
 * Legacy labels already live are recorded as they are (flagged legacy), even where the
 * algorithm would now give another. Any conflict (label held by another commune or
 * reserved, commune already holding another label, the same label or commune twice in
 * the file, an unknown code) is reported; the caller writes nothing if there is one.
 * A label the naming rules give to someone else (`contested`) is a conflict too, or,
 * with `allowContested`, recorded with a warning.
 */
export function planImport(
  entries: readonly LedgerEntry[],
  rows: readonly LegacyRow[],
  communes: readonly Commune[],
  file: string,
  now: string,
  contested: ContestedLabels,
  allowContested: boolean,
): ImportPlan {
  const index = indexLedger(entries);
  const bySiren = new Map(communes.filter((c) => c.siren).map((c) => [c.siren!, c]));
  const byInsee = new Map(communes.map((c) => [c.insee, c]));
  const byKey = new Map(communes.map((c) => [c.key, c]));
  const plan: ImportPlan = { put: [], imported: [], conflicts: [], warnings: [] };
  const labelLine = new Map<string, number>();
  const keyLine = new Map<string, number>();
  for (const row of rows) {
    const at = `${file}:${row.line}`;
    const c = /^\d{9}$/.test(row.id) ? bySiren.get(row.id) : row.id.startsWith("insee:") ? byKey.get(row.id) : byInsee.get(row.id);
    if (!c) {
      plan.conflicts.push(`${at}: ${row.id} is not a current commune in the commune data (unknown key)`);
      continue;
    }
    const dupLabel = labelLine.get(row.label);
    const dupKey = keyLine.get(c.key);
    if (dupLabel !== undefined) plan.conflicts.push(`${at}: label "${row.label}" already appears on line ${dupLabel}`);
    if (dupKey !== undefined) plan.conflicts.push(`${at}: ${c.name} (${c.insee}) already appears on line ${dupKey}`);
    if (dupLabel !== undefined || dupKey !== undefined) continue;
    labelLine.set(row.label, row.line);
    keyLine.set(c.key, row.line);
    const view = { line: row.line, key: c.key, insee: c.insee, name: c.name, departement: c.departement, label: row.label };
    const holderOfLabel = index.byLabel.get(row.label);
    const primary = index.primaryByKey.get(c.key);
    if (primary?.label === row.label) {
      plan.imported.push({ ...view, status: "existing" });
      continue;
    }
    if (primary) {
      plan.conflicts.push(`${at}: ${c.name} (${c.insee}) already holds "${primary.label}" in the ledger; a commune has one label (resolve by hand before importing "${row.label}")`);
      continue;
    }
    if (holderOfLabel) {
      const who = holderOfLabel.key ? `${holderOfLabel.name ?? holderOfLabel.key} (${holderOfLabel.key})` : "nobody";
      plan.conflicts.push(`${at}: label "${row.label}" is already in the ledger as ${holderOfLabel.state}${holderOfLabel.reservedReason ? ` (${holderOfLabel.reservedReason})` : ""}, held for ${who}`);
      continue;
    }
    const why = contestedBy(row.label, c.key, contested, byKey);
    if (why && !allowContested) {
      plan.conflicts.push(`${at}: ${why}; pass --allow-contested-labels if ${row.label} really is ${c.name}'s legacy domain`);
      continue;
    }
    if (why) plan.warnings.push(`${at}: ${why}; recorded for ${c.name} (${c.insee}) as asked (--allow-contested-labels)`);
    plan.put.push({ ...newAllocatedEntry(c, row.label, now), legacy: true });
    plan.imported.push({ ...view, status: "imported" });
  }
  return plan;
}

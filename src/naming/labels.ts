import type { Commune } from "../communes/schema.js";
import { labelProblem, type LabelProblem } from "./label.js";
import { slugify } from "./slug.js";

/** Why a commune's label has the form it has. */
export type LabelReason =
  | "unique" // its slug belongs to no other current commune
  | "homonym" // another commune has exactly the same name
  | "accent-collision" // names differ only by accents, case or punctuation but give the same slug
  | "fallback"; // <slug>-<dep> was itself taken, so the INSEE code was added

export interface ComputedLabel {
  key: string;
  slug: string;
  /** null when no valid label can be computed (see `problem`). */
  label: string | null;
  reason: LabelReason;
  /** INSEE codes of the other members of the slug group, empty when unique. */
  homonyms: string[];
  problem: LabelProblem | null;
}

export interface LabelOptions {
  reserved: ReadonlySet<string>;
  /** Labels already allocated or reserved elsewhere (the ledger); a suffixed label never equals one. */
  taken?: ReadonlySet<string>;
}

/** Lowercased département code as used in labels: 01, 2a, 974. */
export function departementSuffix(departement: string): string {
  return departement.toLowerCase();
}

/**
 * Computes every commune's label over the whole list, since homonymy is global:
 * members of a slug group of two or more all get `<slug>-<dep>` (the bare slug stays
 * reserved for nobody), or `<slug>-<dep>-<insee>` when that is taken too.
 */
export function computeLabels(communes: readonly Commune[], options: LabelOptions): Map<string, ComputedLabel> {
  const groups = new Map<string, Commune[]>();
  for (const c of communes) {
    const slug = c.slug ?? slugify(c.name);
    const group = groups.get(slug);
    if (group) group.push(c);
    else groups.set(slug, [c]);
  }

  const out = new Map<string, ComputedLabel>();
  for (const [slug, members] of groups) {
    if (members.length === 1) {
      const c = members[0]!;
      out.set(c.key, { key: c.key, slug, label: slug, reason: "unique", homonyms: [], problem: labelProblem(slug, options.reserved) });
      continue;
    }
    const exactNames = new Map<string, number>();
    const perDepartement = new Map<string, number>();
    for (const m of members) {
      exactNames.set(m.name, (exactNames.get(m.name) ?? 0) + 1);
      perDepartement.set(m.departement, (perDepartement.get(m.departement) ?? 0) + 1);
    }
    for (const c of members) {
      const suffixed = `${slug}-${departementSuffix(c.departement)}`;
      const taken =
        (perDepartement.get(c.departement) ?? 0) > 1 || groups.has(suffixed) || (options.taken?.has(suffixed) ?? false);
      const label = taken ? `${suffixed}-${c.insee.toLowerCase()}` : suffixed;
      const reason: LabelReason = taken ? "fallback" : (exactNames.get(c.name) ?? 0) > 1 ? "homonym" : "accent-collision";
      out.set(c.key, {
        key: c.key,
        slug,
        label,
        reason,
        homonyms: members.filter((m) => m !== c).map((m) => m.insee),
        problem: labelProblem(label, options.reserved),
      });
    }
  }
  for (const v of out.values()) if (v.problem) v.label = null;
  return out;
}

/** Plain words for a reason, for support staff. */
export function explainReason(computed: ComputedLabel, departement: string): string {
  switch (computed.reason) {
    case "unique":
      return "no other current commune has this slug, so the label is the bare slug";
    case "homonym":
      return `another commune has exactly this name, so every member of the group gets its département (-${departementSuffix(departement)}); the bare "${computed.slug}" is reserved for nobody`;
    case "accent-collision":
      return `another commune's name differs only by accents or punctuation and gives the same slug, so every member gets its département (-${departementSuffix(departement)})`;
    case "fallback":
      return `"${computed.slug}-${departementSuffix(departement)}" is itself taken (same slug twice in the département, another commune's slug, or a label already allocated), so the INSEE code is added`;
  }
}

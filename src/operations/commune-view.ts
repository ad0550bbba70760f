import type { Commune } from "../communes/schema.js";
import { InputError, quoteInput } from "../errors.js";
import type { ComputedLabel, LabelReason } from "../naming/labels.js";

/** The JSON shape of a commune with its computed label, shared by `names`, `check` and later commands. */
export interface CommuneLabelView {
  key: string;
  siren: string | null;
  insee: string;
  name: string;
  departement: string;
  slug: string;
  label: string | null;
  reason: LabelReason;
  homonyms: string[];
  problem: string | null;
}

export function communeLabelView(c: Commune, computed: ComputedLabel): CommuneLabelView {
  return {
    key: c.key,
    siren: c.siren,
    insee: c.insee,
    name: c.name,
    departement: c.departement,
    slug: computed.slug,
    label: computed.label,
    reason: computed.reason,
    homonyms: computed.homonyms,
    problem: computed.problem?.message ?? null,
  };
}

/** Normalises a `--departement` value (48, 2a, 974) and checks that communes exist there. */
export function selectDepartement(communes: readonly Commune[], raw: string): Commune[] {
  const code = raw.trim().toUpperCase();
  if (!/^(\d{2}|2[AB]|\d{3})$/.test(code)) {
    throw new InputError(`--departement ${quoteInput(raw)} is not a département code; use two digits (01, 48), 2A/2B for Corsica, or three digits overseas (974).`);
  }
  const selected = communes.filter((c) => c.departement === code);
  if (selected.length === 0) throw new InputError(`--departement ${quoteInput(raw)}: no current commune has this département code.`);
  return selected;
}

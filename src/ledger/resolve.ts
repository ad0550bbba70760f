import type { Commune } from "../communes/schema.js";
import { InputError, quoteInput } from "../errors.js";
import type { ComputedLabel } from "../naming/labels.js";
import { lookup, scanFinder } from "../naming/lookup.js";
import { normalizeQuery } from "../naming/query.js";
import type { LedgerIndex } from "./entries.js";

/**
 * The one current commune a query designates, for commands that change the ledger.
 * A label the ledger holds (allocated or alias) wins over the computed labels, so that a
 * legacy or grandfathered label finds its holder. A bare homonym name is refused with
 * the candidates listed.
 */
export function resolveCommune(
  input: string,
  zone: string,
  communes: readonly Commune[],
  labels: ReadonlyMap<string, ComputedLabel>,
  reserved: ReadonlySet<string>,
  index: LedgerIndex,
): Commune {
  const q = normalizeQuery(input, zone);
  if (q.kind === "label-or-name" || q.kind === "fqdn") {
    const entry = index.byLabel.get(q.value);
    const key = entry?.state === "allocated" ? entry.key : entry?.state === "alias" ? entry.aliasOf : undefined;
    const holder = key ? communes.find((c) => c.key === key) : undefined;
    if (holder) return holder;
  }
  const { matches } = lookup(scanFinder(communes, labels), q, reserved);
  if (matches.length === 0) {
    throw new InputError(`no current commune matches ${quoteInput(input)}; try \`domaines check ${input}\`, the INSEE code or the SIREN.`);
  }
  const exact = matches.find((m) => m.via !== "name");
  if (exact) return exact.commune;
  if (matches.length === 1) return matches[0]!.commune;
  const list = matches.map((m) => `  ${labels.get(m.commune.key)?.label ?? "-"}  ${m.commune.name} (${m.commune.departement}), INSEE ${m.commune.insee}, SIREN ${m.commune.siren ?? "none"}`);
  throw new InputError(`${quoteInput(input)} designates ${matches.length} communes; name one by its label, INSEE code or SIREN:\n${list.join("\n")}`);
}

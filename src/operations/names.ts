import type { NamingSource } from "../naming-source.js";
import { communeLabelView, selectDepartement, type CommuneLabelView } from "./commune-view.js";

/** Every current commune (or one département's) with its computed label; labels are computed over all of France. */
export function listNames(ws: NamingSource, options: { departement?: string } = {}): CommuneLabelView[] {
  const communes = ws.communes();
  const labels = ws.labels();
  const selected = options.departement === undefined ? communes : selectDepartement(communes, options.departement);
  return selected.map((c) => communeLabelView(c, labels.get(c.key)!));
}

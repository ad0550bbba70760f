import { readCompiled, readCompiledLabels } from "./communes/compiled.js";
import type { Commune } from "./communes/schema.js";
import type { ComputedLabel } from "./naming/labels.js";
import { readReservedText } from "./naming/reserved.js";

/** What naming-only operations read (`names`): the current communes and their computed labels. The Workspace is one. */
export interface NamingSource {
  communes(): readonly Commune[];
  labels(): Map<string, ComputedLabel>;
}

/**
 * The build-time compiled COG and its labels, without the rest of the Workspace (config,
 * store, services and their zod schemas, about 140 ms of module loading): for `names`,
 * which needs nothing else. Null when the compiled data is missing, stale, or was computed
 * against another reserved list: the full Workspace then validates and computes.
 */
export function compiledNamingSource(): NamingSource | null {
  const data = readCompiled();
  const labels = data ? readCompiledLabels(readReservedText()) : null;
  if (!data || !labels) return null;
  return { communes: () => data.communes, labels: () => labels };
}

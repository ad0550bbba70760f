export { slugify } from "./slug.js";
export { labelProblem, isValidLabel, parseReservedList, type LabelProblem } from "./label.js";
export { computeLabels, departementSuffix, explainReason, type ComputedLabel, type LabelReason, type LabelOptions } from "./labels.js";
export { normalizeQuery, type NormalizedQuery, type QueryKind } from "./query.js";

/** The allocation ledger: who holds which label, forever. Other modules read it through these. */
export { ledgerEntrySchema, type LedgerEntry, type LedgerState, type Enrolment } from "./schema.js";
export { readLedger, readLedgerLines, ledgerDir, ledgerPaths, updateLedger, type LedgerChanges, type LedgerUpdate } from "./store.js";
export { indexLedger, primaryEntries, aliasEntries, type LedgerIndex } from "./entries.js";
export { ENROLLABLE_SERVICES, type ServiceName } from "./services.js";
export { ledgerProblems, type LedgerProblem } from "./invariants.js";
export { planAllocation, chooseLabel, type AllocationResult, type AllocationPlan } from "./allocation.js";
export { labelState, decideLabelStatus, labelStatusSentence, type LabelState, type LabelStatus } from "./state.js";

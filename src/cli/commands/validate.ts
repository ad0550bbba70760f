import { ledgerPaths, ledgerDir, readLedgerLines } from "../../ledger/store.js";
import { ledgerProblems } from "../../ledger/invariants.js";
import { replayAudit } from "../../ledger/audit.js";
import { sameEntry } from "../../ledger/codec.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "validate",
  summary: "check the ledger's invariants and that it equals its audit log replayed",
  usage: "[--json]",
  description:
    "Every line must parse (exit 2 naming file:line otherwise). Then: one holder per label, every label\n" +
    "valid, one allocated label per commune, aliases and rename reservations pointing to a live commune,\n" +
    "tombstones never reused (the audit log replayed must give the ledger). Exit 1 lists the offending lines.",
  examples: ["domaines validate", "DOMAINES_LEDGER=/tmp/trial domaines validate --json"],
  options: {},
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const dir = ledgerDir(ctx);
    const paths = ledgerPaths(dir);
    const numbered = readLedgerLines(dir);
    const entries = numbered.map((n) => n.entry);
    const problems = ledgerProblems(entries, ctx.reserved(), numbered.map((n) => n.line)).map((p) => `${paths.ledger}:${p.line}: ${p.message}`);

    // The audit log replayed (aborted transactions left out) must give exactly the ledger.
    const replay = replayAudit(paths.audit);
    problems.push(...replay.problems);
    const current = new Map(entries.map((e) => [e.label, e]));
    const differs = (state: Map<string, (typeof entries)[number]>): string[] => {
      const labels = new Set([...state.keys(), ...current.keys()]);
      return [...labels].filter((l) => !sameEntry(state.get(l), current.get(l))).sort();
    };
    let note: string | null = null;
    let mismatch = differs(replay.state);
    if (mismatch.length > 0 && replay.stateBeforeLast && differs(replay.stateBeforeLast).length === 0) {
      note = `the last transaction in the audit log (${replay.lastTx}) never reached the ledger (a process stopped between the two writes); the next write records it as aborted.`;
      mismatch = [];
    }
    const lineOf = new Map(numbered.map((n) => [n.entry.label, n.line]));
    for (const label of mismatch.slice(0, 50)) {
      const line = lineOf.get(label);
      problems.push(`${paths.ledger}:${line ?? "-"}: label "${label}" ${line === undefined ? "is in the audit log but missing from the ledger" : "differs from the audit log replayed (edited outside domaines, or a label deleted or revived by hand)"}`);
    }
    if (mismatch.length > 50) problems.push(`… and ${mismatch.length - 50} more labels differ from the audit log`);

    const counts = { allocated: 0, alias: 0, reserved: 0, tombstone: 0 };
    for (const e of entries) counts[e.state]++;
    if (ctx.json) {
      ctx.printJson({ ledger: paths.ledger, labels: entries.length, counts, audit: { transactions: replay.transactions, changes: replay.changes }, ok: problems.length === 0, problems, note });
    } else {
      ctx.print(`${paths.ledger}: ${entries.length} labels (${counts.allocated} allocated, ${counts.alias} alias, ${counts.reserved} reserved, ${counts.tombstone} tombstone); audit log: ${replay.transactions} transactions, ${replay.changes} changes.`);
      if (note) ctx.print(`Note: ${note}`);
      if (problems.length === 0) ctx.print("OK: every invariant holds and the ledger equals its audit log.");
      else ctx.print(`${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    }
    return problems.length === 0 ? 0 : 1;
  },
};

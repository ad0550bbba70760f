// Appends ever larger batches to one day of a usage history, printing "appended <n>"
// after each: the parent kills it with SIGKILL while a rewrite is under way.
// Usage: node usage-append-worker.mjs <history dir> <batch size> <batches> [<first index>]
import { FileUsageHistory } from "../../../dist/src/services/usage-history.js";

const [dir, batchArg, batchesArg, firstArg] = process.argv.slice(2);
const batch = Number(batchArg);
const history = new FileUsageHistory(dir);
let next = Number(firstArg ?? 0);
for (let b = 0; b < Number(batchesArg); b++) {
  const samples = [];
  for (let i = 0; i < batch; i++, next++) {
    const commune = String(200_000_000 + next);
    samples.push({ day: "2026-03-14", service: "messages", commune, operator: "s", bytes: next * 1000, sirets: [`${commune}00010`], takenAt: "2026-03-14T05:00:00.000Z" });
  }
  const { added } = await history.append(samples);
  process.stdout.write(`appended ${added}\n`);
}

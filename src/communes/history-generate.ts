/**
 * `npm run history`: rebuilds data/commune-history.json from the COG snapshots pinned as
 * devDependencies (cog2022…cog2025, npm aliases of @etalab/decoupage-administratif) and
 * the current one. The file is committed: a production install has no devDependencies,
 * and a reviewer sees in git what a new COG changed. test/naming/history.test.ts proves
 * the committed file equals a fresh build.
 */
import { replaceDurably } from "../ledger/fsync.js";
import { historyDataPath } from "./history.js";
import { freshHistoryText } from "./history-sources.js";

const text = freshHistoryText();
replaceDurably(historyDataPath(), text);
process.stdout.write(`wrote ${historyDataPath()} (${text.split("\n").length - 1} lines)\n`);

import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { slugify } from "../../src/naming/slug.js";
import { runCli, runNodeAsync, type CliResult } from "../support/cli.js";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { auditRecords, ledgerLines } from "./support/ledger-dir.js";

const WORKER = fileURLToPath(new URL("./support/allocate-worker.mjs", import.meta.url));
const WORKERS = 8;
const PER_WORKER = 500;
const STEP = 450; // consecutive workers share 50 communes: both try, one allocates, the other finds it existing

function runWorker(dir: string, actor: string, keys: string[]): Promise<CliResult> {
  return runNodeAsync(WORKER, [dir, actor, keys.join(",")]);
}

describe.each(ledgerBackends())("8 processes × 500 allocations on one ledger ($name store)", (backend) => {
  let target: LedgerTarget;
  let dir: string;
  beforeAll(async () => {
    target = await backend.create();
    dir = target.location;
  });
  afterAll(() => target.remove());

  it("loses nothing, duplicates nothing, and audits every change", async () => {
    // Sorted by slug so that homonym groups (whose bare slug gets reserved) straddle workers.
    const communes = [...loadCommunes().communes].sort((a, b) => (slugify(a.name) < slugify(b.name) ? -1 : 1));
    const slices = Array.from({ length: WORKERS }, (_, i) => communes.slice(i * STEP, i * STEP + PER_WORKER).map((c) => c.key));
    const distinct = new Set(slices.flat());
    const runs = await Promise.all(slices.map((keys, i) => runWorker(dir, `worker-${i}`, keys)));
    for (const r of runs) expect(r.stderr).toBe("");
    for (const r of runs) expect(r.code).toBe(0);

    const results = runs.flatMap((r) => r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { key: string; label: string; status: string }));
    expect(results).toHaveLength(WORKERS * PER_WORKER);
    const allocatedNow = results.filter((r) => r.status === "allocated");
    expect(allocatedNow).toHaveLength(distinct.size); // each commune allocated exactly once
    expect(results.length - allocatedNow.length).toBe(WORKERS * PER_WORKER - distinct.size);

    const entries = ledgerLines(dir) as { label: string; state: string; key: string | null }[];
    expect(new Set(entries.map((e) => e.label)).size).toBe(entries.length);
    const primary = new Map(entries.filter((e) => e.state === "allocated").map((e) => [e.key, e.label]));
    expect(primary.size).toBe(distinct.size);
    for (const r of results) expect(primary.get(r.key), r.key).toBe(r.label); // every answer is what the ledger holds

    // The audit log holds one line per label created, each with its transaction and actor.
    const audit = auditRecords(dir) as { tx: string; actor: string; before: unknown; after: { state: string } | null }[];
    expect(audit.filter((a) => a.before === null && a.after?.state === "allocated")).toHaveLength(distinct.size);
    expect(audit).toHaveLength(entries.length);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(slices.map((_, i) => `worker-${i}`)));

    const v = runCli(["validate", "--ledger", dir, "--json"]);
    expect(v.stderr).toBe("");
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
    expect(v.code).toBe(0);
  }, 600_000);
});

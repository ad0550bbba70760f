import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLedgerLines, validateLedgerDir } from "../../src/ledger/store.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";
import { CLI, ROOT, runCli, type CliResult } from "../support/cli.js";

/**
 * Fault injection at every file-system call of every write command, in real processes
 * (test/support/fault-inject.mjs): a kill before the call, a torn write, ENOSPC, EFBIG.
 * After each fault the ledger is the old one or the new one, nothing needs a hand repair
 * (validate passes, at most noting what the next write settles), and the same command run
 * again succeeds and leaves exactly the new state. Then two faults in a row.
 */
const SHIM = fileURLToPath(new URL("../support/fault-inject.mjs", import.meta.url));
const COG2022 = join(ROOT, "node_modules/cog2022/data/communes.json");
const reserved = loadReservedLabels();
const work = mkdtempSync(join(tmpdir(), "domaines-faults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Scenario {
  name: string;
  base: () => string;
  args: string[];
}

function run(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult & { signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", SHIM, CLI, ...args, "--ledger", dir, "--actor", "faults"], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
}

/** The ledger as a comparable value: every entry, without the timestamps a re-run changes. */
function state(dir: string): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => !k.endsWith("At") && k !== "since").map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return JSON.stringify(readLedgerLines(dir).map((n) => strip(n.entry)));
}

function copyOf(base: string, name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(base, dir, { recursive: true });
  return dir;
}

/** Which faults each kind of call can meet: a crash anywhere; torn writes and EFBIG on writes; ENOSPC on what allocates. */
function faultsFor(call: string): string[] {
  const kinds = ["kill"];
  if (call === "writeSync") kinds.push("short", "efbig");
  if (["openSync", "writeSync", "fsyncSync", "closeSync", "renameSync", "linkSync", "appendFileSync", "writeFileSync"].includes(call)) kinds.push("enospc");
  return kinds;
}

function expectClean(r: CliResult, what: string): void {
  expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
}

function expectSettled(dir: string, what: string): void {
  const report = validateLedgerDir(dir, reserved);
  expect(report.problems, what).toEqual([]);
  expect(report.ok, what).toBe(true);
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

const bases: Record<string, string> = {};
let renamed: string;

beforeAll(() => {
  const make = (name: string, steps: string[][], communes?: string) => {
    const dir = join(work, `base-${name}`);
    mkdirSync(dir);
    for (const s of steps) {
      const r = runCli([...s, "--ledger", dir, "--actor", "setup", ...(communes && s[0] === "allocate" ? ["--communes", communes] : [])]);
      expect(r.code, `${name}: ${s.join(" ")}: ${r.stderr}`).toBe(0);
    }
    bases[name] = dir;
  };
  make("lozere", [["allocate", "--departement", "48"], ["onboard", "Marvejols", "--services", "messages"]]);
  make("valdoise-2022", [["allocate", "--departement", "95"]], COG2022);
  // After the COG update: Éragny renamed Éragny-sur-Oise, its new name's label reserved for it.
  bases["valdoise-synced"] = copyOf(bases["valdoise-2022"]!, "base-valdoise-synced");
  const sync = runCli(["cog-sync", "--apply", "--json", "--ledger", bases["valdoise-synced"]!, "--actor", "setup"]);
  expect(sync.code).toBe(0);
  const report = JSON.parse(sync.stdout) as { renames: { commune: { key: string }; reservedLabel: string | null }[]; mergers: unknown[]; tombstones: unknown[] };
  expect(report.mergers).toHaveLength(1);
  expect(report.tombstones).toHaveLength(1);
  expect(report.renames[0]?.reservedLabel).toBe("eragny-sur-oise");
  renamed = report.renames[0]!.commune.key;
  writeFileSync(join(work, "legacy.csv"), "siren,label\n216901231,lyon-historique\n");
}, 300_000);

const scenarios: Scenario[] = [
  { name: "onboard", base: () => bases.lozere!, args: ["onboard", "Mende", "--services", "messages,fichiers", "--quota", "messages.organization=50GB"] },
  { name: "offboard", base: () => bases.lozere!, args: ["offboard", "Marvejols"] },
  { name: "allocate", base: () => bases.lozere!, args: ["allocate", "Paris", "Lyon", "saint-denis-93"] },
  { name: "import", base: () => bases.lozere!, args: ["import", join(work, "legacy.csv")] },
  { name: "cog-sync", base: () => bases["valdoise-2022"]!, args: ["cog-sync", "--apply"] },
  { name: "switch", base: () => bases["valdoise-synced"]!, args: ["allocate", "--switch", "__renamed__"] },
];

describe("fault injection at every file-system call of every write command", () => {
  for (const sc of scenarios) {
    it(`${sc.name}: after each fault the ledger is old or new, and the command run again finishes the job`, async () => {
      const args = sc.args.map((a) => (a === "__renamed__" ? renamed : a));
      const base = sc.base();
      const old = state(base);
      // The calls the command makes, and the state it leaves without a fault.
      const counted = copyOf(base, `${sc.name}-count`);
      const callsFile = join(work, `${sc.name}-calls.json`);
      const clean = await run(counted, args, { DOMAINES_FAULT_COUNT: callsFile });
      expect(clean.code, clean.stderr).toBe(0);
      const next = state(counted);
      expect(next).not.toBe(old);
      const calls = JSON.parse(readFileSync(callsFile, "utf8")) as string[];
      const points = calls.flatMap((call, i) => faultsFor(call).map((kind) => ({ at: i + 1, call, kind })));
      expect(points.length).toBeGreaterThanOrEqual(calls.length);

      await pool(points, 2, async (p, i) => {
        const what = `${sc.name}: ${p.kind} at call ${p.at} (${p.call})`;
        const dir = copyOf(base, `${sc.name}-${i}`);
        const faulted = await run(dir, args, { DOMAINES_FAULT_AT: String(p.at), DOMAINES_FAULT: p.kind });
        if (p.kind === "kill" || p.kind === "short") expect(faulted.signal, what).toBe("SIGKILL");
        else {
          expectClean(faulted, what);
          if (faulted.code !== 0) expect(faulted.stderr, what).toMatch(/ENOSPC|EFBIG/);
        }
        expect([old, next], what).toContain(state(dir));
        expectSettled(dir, what);
        // No hand repair: the same command again, and the job is done.
        const again = await run(dir, args);
        expect(again.code, `${what}, then again: ${again.stderr}`).toBe(0);
        expectClean(again, what);
        expect(state(dir), what).toBe(next);
        const report = validateLedgerDir(dir, reserved);
        expect(report, what).toMatchObject({ ok: true, problems: [], note: null });
        expect(readdirSync(dir).filter((n) => n.includes(".tmp")), what).toEqual([]);
        rmSync(dir, { recursive: true, force: true });
      });

      // Two faults in a row (a crash, then another while the next command settles it), then a clean run.
      const pairs = Array.from({ length: 8 }, (_, k) => [points[(k * 7919) % points.length]!, points[(k * 104729 + 3) % points.length]!] as const);
      await pool(pairs, 2, async ([a, b], i) => {
        const what = `${sc.name}: ${a.kind} at ${a.at}, then ${b.kind} at ${b.at}`;
        const dir = copyOf(base, `${sc.name}-pair-${i}`);
        await run(dir, args, { DOMAINES_FAULT_AT: String(a.at), DOMAINES_FAULT: a.kind });
        await run(dir, args, { DOMAINES_FAULT_AT: String(b.at), DOMAINES_FAULT: b.kind });
        expect([old, next], what).toContain(state(dir));
        expectSettled(dir, what);
        const again = await run(dir, args);
        expect(again.code, `${what}, then again: ${again.stderr}`).toBe(0);
        expect(state(dir), what).toBe(next);
        expect(validateLedgerDir(dir, reserved), what).toMatchObject({ ok: true, problems: [], note: null });
        rmSync(dir, { recursive: true, force: true });
      });
    }, 900_000);
  }
});

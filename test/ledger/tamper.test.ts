import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceDurably } from "../../src/ledger/fsync.js";
import { ROOT } from "../support/cli.js";
import { cli, snapshotFiles, tempLedger } from "./support/ledger-dir.js";

/**
 * The ledger refuses to build on what it did not write, and repairs by itself what its own
 * crashes leave (issue 10): a hand-removed tombstone is not reused, a reformatted file is
 * refused, torn audit lines and cut recovery markers need no hand repair, a full disk is a
 * clear error that leaves the old ledger.
 */
const COG2022 = join(ROOT, "node_modules/cog2022/data/communes.json");

describe("a ledger edited outside domaines", () => {
  let dir: string;
  let tombstone: string;
  beforeAll(() => {
    dir = tempLedger();
    expect(cli(dir, ["allocate", "--departement", "95", "--communes", COG2022]).code).toBe(0);
    const sync = cli(dir, ["cog-sync", "--apply", "--json"]);
    expect(sync.code).toBe(0);
    tombstone = (JSON.parse(sync.stdout) as { tombstones: { labels: string[] }[] }).tombstones[0]!.labels[0]!;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a tombstone removed by hand is not reused: every write refuses, naming the label, and writes nothing", () => {
    const ledger = join(dir, "ledger.jsonl");
    const original = readFileSync(ledger, "utf8");
    writeFileSync(ledger, original.split("\n").filter((l) => !l.startsWith(`{"label":"${tombstone}"`)).join("\n"));
    const csv = join(dir, "..", `reuse-${Date.now()}.csv`);
    writeFileSync(csv, `siren,label\n214800955,${tombstone}\n`);
    const before = snapshotFiles(dir);
    const r = cli(dir, ["import", csv, "--json"]);
    expect(r.code).toBe(1);
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("ledger-damaged");
    expect(error.message).toMatch(new RegExp(`labels that differ from the audit log: ${tombstone}`));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const args of [["allocate", "Mende"], ["onboard", "Mende", "--services", "messages"], ["cog-sync", "--apply"]]) {
      expect(cli(dir, args).code, args.join(" ")).toBe(1);
    }
    expect(snapshotFiles(dir)).toEqual(before);
    const v = cli(dir, ["validate"]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(new RegExp(`label "${tombstone}" is in the audit log but missing from the ledger`));
    // Restored, the label is a tombstone again and the import is a conflict, not a reuse.
    writeFileSync(ledger, original);
    const again = cli(dir, ["import", csv]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`label "${tombstone}" is already in the ledger as tombstone`));
    expect(cli(dir, ["validate"]).code).toBe(0);
    rmSync(csv);
  });

  it("a ledger reformatted by hand (same entries, other bytes) is refused by writes and named by validate", () => {
    const ledger = join(dir, "ledger.jsonl");
    const original = readFileSync(ledger, "utf8");
    writeFileSync(ledger, original.replace(/^\{"label":/gm, '{ "label":'));
    const r = cli(dir, ["allocate", "Mende", "--json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe("ledger-damaged");
    const v = JSON.parse(cli(dir, ["validate", "--json"]).stdout) as { ok: boolean; problems: string[] };
    expect(v.ok).toBe(false);
    expect(v.problems.join("\n")).toMatch(/its bytes are not those domaines wrote/);
    writeFileSync(ledger, original);
    expect(cli(dir, ["allocate", "Mende"]).code).toBe(0);
  });
});

describe("faults the tool itself can cause are repaired by the next write", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempLedger();
    expect(cli(dir, ["allocate", "Mende"]).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a torn audit line, then a recovery marker cut short: validate says the next write repairs it, and it does", () => {
    const audit = join(dir, "audit.jsonl");
    appendFileSync(audit, '{"tx":"torn-1","seq":0,"of":2,"time":"2026-');
    // The next writer settles it, but is itself killed while appending its marker.
    appendFileSync(audit, '\n{"tx":"torn-1","time":"2026-12-01T00:00:00.000Z","actor":"x","comm');
    const v = cli(dir, ["validate", "--json"]);
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout) as { ok: boolean; note: string | null };
    expect(report.ok).toBe(true);
    expect(report.note).toMatch(/the next write records it as aborted/);
    const w = cli(dir, ["onboard", "Mende", "--services", "messages"]);
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(cli(dir, ["validate", "--json"]).stdout)).toMatchObject({ ok: true, problems: [], note: null });
    const marker = readFileSync(audit, "utf8").trim().split("\n").map((l) => { try { return JSON.parse(l) as { outcome?: string; torn?: unknown[] }; } catch { return null; } }).find((x) => x?.outcome === "aborted");
    expect(marker?.torn).toHaveLength(2);
  });

  it("a temp file at the old predictable name, planted as a link, is never written through", () => {
    const target = join(dir, "..", `victim-${Date.now()}`);
    writeFileSync(target, "precious");
    const out = join(dir, "..", `export-${Date.now()}.json`);
    symlinkSync(target, `${out}.tmp-${process.pid}`);
    replaceDurably(out, "new content");
    expect(readFileSync(target, "utf8")).toBe("precious");
    expect(readFileSync(out, "utf8")).toBe("new content");
    rmSync(`${out}.tmp-${process.pid}`);
    rmSync(target);
    rmSync(out);
  });
});

describe("a full disk under the ledger (a real 512 KiB tmpfs; CI runs as root)", () => {
  const mount = mkdtempSync(join(tmpdir(), "domaines-full-"));
  beforeAll(() => {
    // No silent skip: without the mount this test fails and says why.
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mount]);
  });
  afterAll(() => {
    try {
      execFileSync("umount", [mount]);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it("allocate --all is refused with a clear error naming the file, the ledger stays as it was, no temp file is left; later writes work", () => {
    const dir = join(mount, "ledger");
    mkdirSync(dir);
    expect(cli(dir, ["allocate", "Mende"]).code).toBe(0);
    const before = snapshotFiles(dir);
    const r = cli(dir, ["allocate", "--all", "--json"]);
    expect(r.code).toBe(1);
    const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("io");
    expect(error.message).toMatch(/ENOSPC \(no space left on the device\)/);
    expect(error.message).toContain(dir);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
    expect(snapshotFiles(dir).ledger).toBe(before.ledger);
    const v = JSON.parse(cli(dir, ["validate", "--json"]).stdout) as { ok: boolean };
    expect(v.ok).toBe(true);
    expect(cli(dir, ["allocate", "Marvejols"]).code).toBe(0);
    expect(JSON.parse(cli(dir, ["validate", "--json"]).stdout)).toMatchObject({ ok: true, problems: [], note: null });
    expect(existsSync(join(dir, "ledger.lock"))).toBe(false);
  });
});

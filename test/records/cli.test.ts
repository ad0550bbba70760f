import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeLedger } from "../../src/ledger/codec.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { runCli, runCliAsync } from "../support/cli.js";
import { checkZone } from "../support/knot.js";
import { entry, smallDkim, smallLedger } from "./fixtures.js";

/** plan and export --format zone as a user runs them: the compiled CLI over a temp ledger. */

const root = mkdtempSync(join(tmpdir(), "domaines-records-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function workspace(entries: LedgerEntry[] = smallLedger()): { ledger: string; dkim: string; args: string[] } {
  const dir = join(root, `w${n++}`);
  const ledger = join(dir, "ledger");
  mkdirSync(ledger, { recursive: true });
  writeFileSync(join(ledger, "ledger.jsonl"), serializeLedger(entries));
  const dkim = join(dir, "dkim.json");
  writeFileSync(dkim, JSON.stringify(smallDkim()));
  return { ledger, dkim, args: ["--ledger", ledger, "--dkim", dkim] };
}

describe("export --format zone", () => {
  it("writes the same bytes twice, to stdout and atomically to --out, accepted by both checkers", async () => {
    const w = workspace();
    const a = runCli(["export", "--format", "zone", ...w.args]);
    const b = runCli(["export", "--format", "zone", ...w.args]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^\$ORIGIN collectivite\.fr\.$/m);
    const j = runCli(["export", "--format", "zone", "--json", ...w.args]);
    expect(JSON.parse(j.stdout)).toMatchObject({ format: "zone", zone: "collectivite.fr", text: a.stdout });
    const out = join(root, "out.zone");
    const c = runCli(["export", "--format", "zone", "--out", out, "--json", ...w.args]);
    expect(c.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(a.stdout);
    expect(JSON.parse(c.stdout)).toMatchObject({ format: "zone", out, zone: "collectivite.fr", pendingDkim: 1 });
    expect(c.stderr).toMatch(/1 commune\(s\) have no DKIM key yet/);
    for (const tool of ["named-checkzone", "kzonecheck"] as const) expect((await checkZone(tool, "collectivite.fr", out)).code).toBe(0);
  });

  it("limits the file to one département's communes, keeps zone-level records, and takes --serial", () => {
    const w = workspace();
    const r = runCli(["export", "--format", "zone", "--departement", "48", "--serial", "2026030101", ...w.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\tSOA\t\S+ \S+ 2026030101 /);
    expect(r.stdout).toMatch(/^_dmarc\t/m);
    expect(r.stdout).toMatch(/^; mende \|/m);
    expect(r.stdout).not.toMatch(/^saint-denis\t/m); // a homonym slug belongs to no département
  });

  it("refuses bad options and bad inputs with exit 2 and a message naming them", () => {
    const w = workspace();
    const cases: [string[], RegExp][] = [
      [["--serial", "12ab"], /--serial "12ab" is not a SOA serial/],
      [["--serial", "4294967296"], /--serial "4294967296" is not a SOA serial/],
      [["--departement", "480"], /--departement "480": no current commune has this département code/],
      [["--departement", "x"], /--departement "x" is not a département code/],
    ];
    for (const [extra, message] of cases) {
      const r = runCli(["export", "--format", "zone", ...w.args, ...extra]);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    writeFileSync(w.dkim, JSON.stringify({ "mende.collectivite.fr": { selector: "stmessages", value: 'v=DKIM1; p=abc" evil', fetchedAt: "2026-03-01T00:00:00Z" } }));
    const bad = runCli(["export", "--format", "zone", ...w.args]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the DKIM store .*dkim\.json is invalid:\n {2}mende\.collectivite\.fr\.value: printable ASCII without quotes/);
    expect(bad.stdout).toBe("");
  });

  it("refuses an invalid model, naming the record and the rule, and writes nothing", () => {
    const w = workspace();
    const cfg = JSON.parse(readFileSync(join(process.cwd(), "data", "config.json"), "utf8"));
    cfg.dns.recordSets.messages.records.find((r: { purpose: string }) => r.purpose === "dmarc").value = "v=DMARC1; p=none";
    const file = join(root, `cfg${n++}.json`);
    writeFileSync(file, JSON.stringify(cfg));
    const out = join(root, "never.zone");
    const r = runCli(["export", "--format", "zone", "--config", file, "--out", out, ...w.args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/_dmarc\.mende\.collectivite\.fr TXT \(dmarc\) breaks dmarc-policy: p=none/);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe("plan", () => {
  it("shows everything as new without a snapshot, then nothing after --save, then each change per commune", async () => {
    const w = workspace();
    const first = runCli(["plan", "--json", ...w.args]);
    expect(first.code).toBe(0);
    const p1 = JSON.parse(first.stdout);
    expect(p1.appliedAt).toBeNull();
    expect(p1.owners).toMatchObject({ added: 10, changed: 0, removed: 0 }); // 9 labels + the zone level
    expect(p1.records.added).toBe(p1.records.total);
    expect(p1.pendingDkim.map((p: { label: string }) => p.label)).toEqual(["marvejols"]);

    expect(runCli(["plan", "--save", ...w.args]).code).toBe(0);
    const p2 = JSON.parse(runCli(["plan", "--json", ...w.args]).stdout);
    expect(p2.appliedAt).not.toBeNull();
    expect(p2.owners).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 10 });
    expect(p2.changes).toEqual([]);

    // Messages gives Marvejols' key; Langogne enrols; the tombstone leaves the ledger; Mende's DKIM rotates.
    const entries = smallLedger().filter((e) => e.label !== "ancienne");
    const langogne = entries.find((e) => e.label === "langogne")!;
    langogne.services = { messages: { enrolledAt: "2026-03-02T00:00:00.000Z", quotas: {} } };
    writeFileSync(join(w.ledger, "ledger.jsonl"), serializeLedger(entries));
    const dkim = JSON.parse(readFileSync(w.dkim, "utf8"));
    dkim["marvejols.collectivite.fr"] = { ...dkim["mende.collectivite.fr"] };
    dkim["mende.collectivite.fr"].value = "v=DKIM1; k=rsa; p=QUJD";
    writeFileSync(w.dkim, JSON.stringify(dkim));

    const p3 = JSON.parse(runCli(["plan", "--json", ...w.args]).stdout);
    const byLabel = Object.fromEntries(p3.changes.map((c: { label: string }) => [c.label, c]));
    expect(Object.keys(byLabel).sort()).toEqual(["ancienne", "langogne", "marvejols", "mende"]);
    expect(byLabel.ancienne.status).toBe("removed");
    expect(byLabel.ancienne.removed.map((r: { purpose: string }) => r.purpose).sort()).toEqual(["null-mx", "spf-none"]);
    expect(byLabel.marvejols.added.map((r: { purpose: string }) => r.purpose)).toEqual(["dkim"]);
    expect(byLabel.mende.changed).toEqual([expect.objectContaining({ purpose: "dkim", after: expect.objectContaining({ value: "v=DKIM1; k=rsa; p=QUJD" }) })]);
    expect(byLabel.langogne.removed.map((r: { purpose: string }) => r.purpose).sort()).toEqual(["null-mx", "spf-none"]);
    expect(byLabel.langogne.added.map((r: { purpose: string }) => r.purpose)).toContain("mx1");
    expect(p3.owners).toMatchObject({ added: 0, changed: 3, removed: 1 });
    expect(p3.pendingDkim.map((p: { label: string }) => p.label)).toEqual(["langogne"]);

    const human = runCli(["plan", ...w.args]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Owners: {2}9 \(added 0, changed 3, removed 1, unchanged 6\) {2}— labels, and the zone level \(@\)$/m);
    expect(human.stdout).toMatch(/^- ancienne \(gone from the ledger\)\n {4}- ancienne\.collectivite\.fr 3600 MX 0 \.$/m);
    expect(human.stdout).toMatch(/^~ mende — Mende \(allocated, fichiers\+messages\)\n {4}~ stmessages\._domainkey\.mende\.collectivite\.fr 3600 TXT v=DKIM1; k=rsa; p=\S+\n {6}→ stmessages\._domainkey\.mende\.collectivite\.fr 3600 TXT v=DKIM1; k=rsa; p=QUJD$/m);
    expect(human.stdout).toMatch(/DKIM pending .*: 1: langogne/);
  });

  it("saves one département without touching the others' applied state", () => {
    const entries = [...smallLedger(), entry({ label: "ajaccio", state: "allocated", key: "212000046", departement: "2A", services: { fichiers: { enrolledAt: "2026-03-01T00:00:00.000Z", quotas: {} } } })];
    const w = workspace(entries);
    expect(runCli(["plan", "--departement", "2A", "--save", ...w.args]).code).toBe(0);
    const p48 = JSON.parse(runCli(["plan", "--departement", "48", "--json", ...w.args]).stdout);
    expect(p48.owners.added).toBe(8);
    const p2a = JSON.parse(runCli(["plan", "--departement", "2a", "--json", ...w.args]).stdout);
    expect(p2a.owners).toMatchObject({ total: 1, unchanged: 1, added: 0 });
    expect(runCli(["plan", "--departement", "48", "--save", ...w.args]).code).toBe(0);
    const whole = JSON.parse(runCli(["plan", "--json", ...w.args]).stdout);
    // The zone level and the homonym slug (platform stack) were never saved.
    expect(whole.changes.map((c: { label: string }) => c.label).sort()).toEqual(["@", "saint-denis"]);
  });

  it("refuses a damaged snapshot with exit 2 and says what to do", async () => {
    const w = workspace();
    writeFileSync(join(w.ledger, "dns-applied.json"), "{ not json");
    const r = await runCliAsync(["plan", ...w.args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the applied DNS snapshot .*dns-applied\.json: .*Restore it from backup, or delete it/);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeLedger } from "../../src/ledger/codec.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { runCli, runCliAsync } from "../support/cli.js";
import { checkZone } from "../support/knot.js";
import { runWithMocks } from "../infra/support/mock-run.js";
import { smallDkim, smallLedger } from "./fixtures.js";

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

/** What `pulumi up` on dep-48 (or platform) leaves in `pulumi stack output guardState --json`: the real program under mocks, reading the same files as the CLI. */
async function applyStack(w: { ledger: string; dkim: string }, shard = "48", previousOutputs?: Record<string, unknown>): Promise<{ outputs: Record<string, unknown>; file: string }> {
  const run = await runWithMocks({
    stack: shard === "platform" ? "platform" : `dep-${shard}`,
    config: { "domaines:zone": "collectivite.fr", "domaines:shard": shard, "domaines:ledgerDir": w.ledger, "domaines:dkimFile": w.dkim, "domaines:subscriptions": "false" },
    ...(previousOutputs ? { previousOutputs } : {}),
  });
  const file = join(root, `applied-${n++}.json`);
  writeFileSync(file, `${JSON.stringify(run.outputs.guardState, null, 2)}\n`);
  return { outputs: run.outputs, file };
}

describe("plan", () => {
  it("without a snapshot shows every record as new; against the stack's own output, nothing; then each change with its ledger explanation", async () => {
    const w = workspace();
    const first = JSON.parse(runCli(["plan", "--departement", "48", "--json", ...w.args]).stdout);
    expect(first.against).toBeNull();
    expect(first.owners).toMatchObject({ total: 8, added: 8, changed: 0, removed: 0 });
    expect(first.records.creates).toBe(first.records.total);
    expect(first.pendingDkim.map((p: { label: string }) => p.label)).toEqual(["marvejols"]);

    const applied = await applyStack(w);
    const p2 = JSON.parse(runCli(["plan", "--against", applied.file, "--json", ...w.args]).stdout);
    expect(p2.scope).toBe("48");
    expect(p2.against).toEqual({ shard: "48", zone: "collectivite.fr" });
    expect(p2.owners).toMatchObject({ total: 8, added: 0, changed: 0, removed: 0, unchanged: 8 });
    expect(p2.records).toMatchObject({ creates: 0, updates: 0, deletes: 0, unchanged: p2.records.total, previous: p2.records.total });
    expect(p2.changes).toEqual([]);
    // The same diff the stack's guard judged: its record total is the plan's.
    expect(p2.records.total).toBe(applied.outputs.recordTotal);

    // Messages gives Marvejols' key and rotates Mende's; Langogne enrols; the tombstone's line is cut by hand.
    const entries = smallLedger().filter((e) => e.label !== "ancienne");
    const langogne = entries.find((e) => e.label === "langogne")!;
    langogne.services = { messages: { enrolledAt: "2026-03-02T00:00:00.000Z", quotas: {} } };
    writeFileSync(join(w.ledger, "ledger.jsonl"), serializeLedger(entries));
    const dkim = JSON.parse(readFileSync(w.dkim, "utf8"));
    dkim["marvejols.collectivite.fr"] = { ...dkim["mende.collectivite.fr"] };
    dkim["mende.collectivite.fr"].value = "v=DKIM1; k=rsa; p=QUJD";
    writeFileSync(w.dkim, JSON.stringify(dkim));

    const p3 = JSON.parse(runCli(["plan", "--against", applied.file, "--json", ...w.args]).stdout);
    const byLabel = Object.fromEntries(p3.changes.map((c: { label: string; status: string }) => [`${c.label}${c.status === "added" ? "+" : ""}`, c]));
    expect(Object.keys(byLabel).sort()).toEqual(["ancienne", "langogne", "marvejols", "mende"]);
    expect(byLabel.ancienne.status).toBe("removed");
    expect(byLabel.ancienne.deletes.map((d: { explainedBy: string | null; why: string }) => [d.explainedBy, d.why])).toEqual([
      [null, 'the ledger has no line for "ancienne" any more (labels are never removed: a hand-cut or truncated ledger?)'],
      [null, 'the ledger has no line for "ancienne" any more (labels are never removed: a hand-cut or truncated ledger?)'],
    ]);
    expect(byLabel.marvejols.creates.map((r: { purpose: string }) => r.purpose)).toEqual(["dkim"]);
    expect(byLabel.mende.updates).toEqual([expect.objectContaining({ after: expect.objectContaining({ purpose: "dkim", value: "v=DKIM1; k=rsa; p=QUJD" }), explainedBy: null })]);
    expect(byLabel.langogne.deletes.map((d: { record: { purpose: string }; explainedBy: string }) => `${d.record.purpose} ${d.explainedBy}`)).toEqual([
      "null-mx enrolled in messages: its mail records replace the no-mail ones",
      "spf-none enrolled in messages: its mail records replace the no-mail ones",
    ]);
    expect(byLabel.langogne.creates.map((r: { purpose: string }) => r.purpose)).toContain("mx1");
    expect(p3.owners).toMatchObject({ added: 0, changed: 3, removed: 1, unchanged: 4 });
    expect(p3.records).toMatchObject({ deletes: 4, unexplainedDeletes: 2 });
    expect(p3.pendingDkim.map((p: { label: string }) => p.label)).toEqual(["langogne"]);

    const human = runCli(["plan", "--against", applied.file, ...w.args]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`compared with the applied snapshot of stack dep-48 (${applied.file})`);
    expect(human.stdout).toMatch(/^Labels: {2}7 \(added 0, changed 3, removed 1, unchanged 4\)$/m);
    expect(human.stdout).toMatch(/^NOT EXPLAINED by the ledger: 2 deletion\(s\); the stack's deletion guard would refuse this run/m);
    expect(human.stdout).toMatch(/^- ancienne \(gone from this stack\)\n {4}- ancienne\.collectivite\.fr 3600 MX 0 \. {2}\[NOT EXPLAINED: the ledger has no line for "ancienne"/m);
    expect(human.stdout).toMatch(/^~ langogne — Langogne \(allocated, messages\)\n(.*\n)* {4}- langogne\.collectivite\.fr 3600 MX 0 \. {2}\[enrolled in messages: its mail records replace the no-mail ones\]$/m);
    expect(human.stdout).toMatch(/^~ mende — Mende \(allocated, fichiers\+messages\)\n {4}~ stmessages\._domainkey\.mende\.collectivite\.fr 3600 TXT v=DKIM1; k=rsa; p=\S+\n {6}→ stmessages\._domainkey\.mende\.collectivite\.fr 3600 TXT v=DKIM1; k=rsa; p=QUJD$/m);
    expect(human.stdout).toMatch(/DKIM pending .*: 1: langogne/);
  });

  it("reads the whole `pulumi stack output --json` too; a platform snapshot plans the platform's scope", async () => {
    const w = workspace();
    const applied = await applyStack(w, "platform");
    const all = join(root, `outputs-${n++}.json`);
    writeFileSync(all, JSON.stringify(applied.outputs));
    const p = JSON.parse(runCli(["plan", "--against", all, "--json", ...w.args]).stdout);
    expect(p.scope).toBe("platform");
    expect(p.changes).toEqual([]);
    expect(p.unchanged).toEqual(["@", "saint-denis"]);
    const mismatch = runCli(["plan", "--against", all, "--departement", "48", ...w.args]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/--departement "48" and --against ".*" disagree: the snapshot is stack platform's \(shard platform\), not département 48's/);
  });

  it("shows a renamed commune under its new name and AAAA values compressed", () => {
    const entries = smallLedger().map((e) => (e.label === "mende" ? { ...e, nameHistory: [{ name: "Mende-la-Neuve", since: "2026-01-01" }] } : e));
    const w = workspace(entries);
    const cfg = JSON.parse(readFileSync(join(process.cwd(), "data", "config.json"), "utf8"));
    cfg.dns.variables.webIPv6 = ["2001:0db8:0000:0000:0000:0000:0000:0010"];
    const file = join(root, `cfg${n++}.json`);
    writeFileSync(file, JSON.stringify(cfg));
    const r = runCli(["plan", "--departement", "48", "--config", file, ...w.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+ mende — Mende-la-Neuve \(allocated, fichiers\+messages\): 9 records/m);
    const j = JSON.parse(runCli(["plan", "--departement", "48", "--config", file, "--json", ...w.args]).stdout);
    expect(j.changes.find((c: { label: string }) => c.label === "mende").name).toBe("Mende-la-Neuve");
  });

  it("retires --save and dns-applied.json with a message saying what replaces them", () => {
    const w = workspace();
    for (const args of [["--save"], ["--snapshot", "x.json"]]) {
      const r = runCli(["plan", ...args, ...w.args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/is retired: the one record of what was applied is now the Pulumi stack's own guardState output.*pulumi stack output guardState --json -s dep-48 > applied\.json; domaines plan --against applied\.json/);
    }
    writeFileSync(join(w.ledger, "dns-applied.json"), "{}");
    const r = runCli(["plan", "--departement", "48", ...w.args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dns-applied\.json is no longer read \(plan --save is retired\)/);
  });

  it("refuses a missing, damaged or foreign snapshot with exit 2 and says what to do", async () => {
    const w = workspace();
    const bad = join(root, `bad-${n++}.json`);
    const cases: [string | null, RegExp][] = [
      [null, /--against ".*missing\.json": no such file; write it with `pulumi stack output guardState --json/],
      ["{ not json", /: not JSON \(.*\); write it with `pulumi stack output guardState --json > /],
      [JSON.stringify({ version: 1, zone: "collectivite.fr", shard: "48", owners: [] }), /is not a stack's applied snapshot: it is a version 1 guardState \(record digests only/],
      [JSON.stringify({ version: 2, zone: "collectivite.fr", shard: "48" }), /is not a stack's applied snapshot: owners: /],
    ];
    for (const [text, message] of cases) {
      if (text !== null) writeFileSync(bad, text);
      const r = await runCliAsync(["plan", "--against", text === null ? join(root, "missing.json") : bad, ...w.args]);
      expect(r.code, text ?? "missing").toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});

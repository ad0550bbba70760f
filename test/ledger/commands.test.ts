import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedgerStore } from "../../src/ledger/open.js";
import { ledgerEntrySchema } from "../../src/ledger/schema.js";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { cli, emptySnapshot, ledgerLines, snapshotFiles, tempLedger } from "./support/ledger-dir.js";

interface Allocated {
  key: string;
  siren: string | null;
  insee: string;
  name: string;
  departement: string;
  label: string;
  fqdn: string;
  status: string;
  reason: string;
}

// The same tests on both stores: `dir` is the ledger's location (a directory or a postgres:// URL).
describe.each(ledgerBackends())("allocate ($name store)", (backend) => {
  let target: LedgerTarget;
  let dir: string;
  beforeAll(async () => {
    target = await backend.create();
    dir = target.location;
  });
  afterAll(() => target.remove());

  it("--dry-run shows the labels and writes nothing", () => {
    const r = cli(dir, ["allocate", "--departement", "48", "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; communes: Allocated[] };
    expect(out.dryRun).toBe(true);
    expect(out.communes.length).toBeGreaterThan(100);
    expect(snapshotFiles(dir)).toEqual(emptySnapshot(dir));
  });

  it("allocates with the issue's fields, reserves a homonym group's bare slug, and is idempotent", () => {
    const r = cli(dir, ["allocate", "Mende", "saint-denis-93.collectivite.fr", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { communes: Allocated[]; reservedHomonymSlugs: string[] };
    expect(out.communes).toEqual([
      { key: "214800955", siren: "214800955", insee: "48095", name: "Mende", departement: "48", label: "mende", fqdn: "mende.collectivite.fr", status: "allocated", reason: "unique", legacy: false, explanation: expect.any(String) },
      expect.objectContaining({ insee: "93066", label: "saint-denis-93", status: "allocated", reason: "homonym" }),
    ]);
    expect(out.reservedHomonymSlugs).toEqual(["saint-denis"]);
    expect(ledgerLines(dir).find((e) => e.label === "saint-denis")).toMatchObject({ state: "reserved", key: null, reservedReason: "homonym-group" });

    const audit = snapshotFiles(dir).audit;
    const again = cli(dir, ["allocate", "214800955", "93066", "--json"]);
    expect((JSON.parse(again.stdout) as { communes: Allocated[] }).communes.map((c) => [c.label, c.status])).toEqual([["mende", "existing"], ["saint-denis-93", "existing"]]);
    expect(snapshotFiles(dir).audit).toBe(audit); // nothing changed, nothing audited
  });

  it("keeps an allocated label even where the algorithm would now give another, and never reuses a ledger label", async () => {
    // A tombstone on "marvejols" (as if an earlier commune had held it), written as a real transaction: Marvejols must get a suffixed label.
    const tomb = ledgerEntrySchema.parse({ label: "marvejols", state: "tombstone", key: "200000999", allocatedAt: "2020-01-01T00:00:00.000Z", updatedAt: "2021-01-01T00:00:00.000Z", tombstonedAt: "2021-01-01T00:00:00.000Z" });
    const store = openLedgerStore(dir);
    await store.transact({ actor: "test", command: "seed a tombstone" }, () => ({ put: [tomb], result: null }));
    await store.close();
    const r = cli(dir, ["allocate", "Marvejols", "--json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { communes: Allocated[] }).communes[0]).toMatchObject({ label: "marvejols-48", reason: "taken-in-ledger" });
    expect(cli(dir, ["validate"]).code).toBe(0);
  });

  it("prints plain words without --json", () => {
    const r = cli(dir, ["allocate", "Mende"]);
    expect(r.stdout).toMatch(/existing\s+mende\.collectivite\.fr\s+Mende \(48\), INSEE 48095 — already in the ledger: it keeps its label/);
  });
});

describe.each(ledgerBackends())("check against the ledger, onboard, offboard, import, export ($name store)", (backend) => {
  let target: LedgerTarget;
  let dir: string;
  let scratch: string;
  beforeAll(async () => {
    target = await backend.create();
    dir = target.location;
    scratch = target.scratch;
    expect(cli(dir, ["allocate", "Mende", "Saint-Denis-93"]).code).toBe(0);
  });
  afterAll(() => target.remove());

  it("check says whether a label is free, allocated (to whom) or reserved (why), plain words first", () => {
    const allocated = cli(dir, ["check", "mende.collectivite.fr"]);
    expect(allocated.stdout.split("\n")[1]).toMatch(/^Ledger: mende\.collectivite\.fr is allocated to Mende \(48, INSEE 48095\) since \d{4}-\d\d-\d\d\.$/);
    expect(cli(dir, ["check", "saint-denis"]).stdout).toMatch(/saint-denis\.collectivite\.fr is reserved: it is the shared name of several communes/);
    const free = cli(dir, ["check", "marvejols", "--json"]);
    const json = JSON.parse(free.stdout) as { ledgerLabel: { state: string }; matches: { ledger: { state: string; label: string | null } }[] };
    expect(json.ledgerLabel.state).toBe("free");
    expect(json.matches[0]!.ledger).toMatchObject({ state: "not-allocated", label: null });
    expect(cli(dir, ["check", "marvejols"]).stdout).toMatch(/marvejols\.collectivite\.fr is free/);
  });

  it("onboard records services and quota overrides (allocating if needed), idempotently; offboard keeps the label", () => {
    const on = cli(dir, ["onboard", "Marvejols", "--services", "messages,fichiers", "--quota", "messages.mailbox=5GB", "--quota", "fichiers.organization=unlimited", "--json"]);
    expect(on.code, on.stderr).toBe(0);
    const out = JSON.parse(on.stdout) as { label: string; status: string; services: Record<string, { quotas: Record<string, unknown> }>; changed: string[] };
    expect(out).toMatchObject({ label: "marvejols", status: "allocated", changed: ["messages", "fichiers"] });
    expect(out.services.messages!.quotas).toEqual({ mailbox: 5_000_000_000 });
    expect(out.services.fichiers!.quotas).toEqual({ organization: "unlimited" });

    const audit = snapshotFiles(dir).audit;
    const again = JSON.parse(cli(dir, ["onboard", "marvejols", "--services", "messages", "--json"]).stdout) as { changed: string[] };
    expect(again.changed).toEqual([]);
    expect(snapshotFiles(dir).audit).toBe(audit);
    expect(cli(dir, ["check", "marvejols"]).stdout).toMatch(/enrolled in fichiers, messages/);

    const off = cli(dir, ["offboard", "Marvejols", "--services", "fichiers", "--json"]);
    expect(JSON.parse(off.stdout)).toMatchObject({ label: "marvejols", removed: ["fichiers"] });
    expect(cli(dir, ["offboard", "Marvejols"]).stdout).toMatch(/marvejols\.collectivite\.fr stays its label\.\n {2}offboarded from: messages/);
    const entry = ledgerLines(dir).find((e) => e.label === "marvejols");
    expect(entry).toMatchObject({ state: "allocated", key: "214800922" });
    expect(entry!.services).toBeUndefined();
  });

  it("import records legacy labels as they are; the label then finds its holder; a second import is harmless", () => {
    const csv = join(scratch, "legacy.csv");
    // The removed provisioning plugin dropped "œ": Bonnœil (14) may be live as "bonnil".
    writeFileSync(csv, "siren,label\n14087,bonnil\n");
    const r = cli(dir, ["import", csv, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 1, rows: [{ label: "bonnil", name: "Bonnœil", status: "imported" }] });
    expect(ledgerLines(dir).find((e) => e.label === "bonnil")).toMatchObject({ legacy: true, state: "allocated" });
    expect(cli(dir, ["check", "bonnil"]).stdout).toMatch(/bonnil\.collectivite\.fr is allocated to Bonnœil \(14, INSEE 14087\).*legacy label/);
    const alloc = JSON.parse(cli(dir, ["allocate", "Bonnœil", "--json"]).stdout) as { communes: Allocated[] };
    expect(alloc.communes[0]).toMatchObject({ label: "bonnil", status: "existing" });
    expect(JSON.parse(cli(dir, ["import", csv, "--json"]).stdout)).toMatchObject({ imported: 0, existing: 1 });
  });

  it("export gives the whole ledger as JSON and CSV, to stdout or atomically to a file", () => {
    const entries = ledgerLines(dir);
    const json = JSON.parse(cli(dir, ["export", "--format", "json"]).stdout) as unknown[];
    expect(json).toEqual(entries);
    const out = join(scratch, "ledger.csv");
    expect(cli(dir, ["export", "--format", "csv", "--out", out]).code).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows[0]).toBe("label,state,key,alias_of,inherited_from,reserved_reason,name,departement,insee,current_name,insee_history,allocated_at,updated_at,tombstoned_at,legacy,grandfathered,services,quotas");
    expect(rows).toHaveLength(entries.length + 1);
    expect(rows.find((r) => r.startsWith("bonnil,"))).toMatch(/^bonnil,allocated,211400874,,,,Bonnœil,14,14087,Bonnœil,14087,.*,true,false,,$/);
  });
});

describe("the audit log's crash window", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempLedger();
    expect(cli(dir, ["allocate", "Mende"]).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a transaction audited but never written is reported by validate, then recorded as aborted by the next write", () => {
    // What a kill between the audit append and the rename leaves: audit lines the ledger does not show.
    const after = { label: "phantom", state: "allocated", key: "214801359", allocatedAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" };
    // Its last line carries the digest chain: the ledger it read (the current file) and the one it would have written.
    const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");
    const digest = { before: sha(readFileSync(join(dir, "ledger.jsonl"))), after: sha("phantom ledger") };
    appendFileSync(join(dir, "audit.jsonl"), `${JSON.stringify({ tx: "killed-tx", seq: 0, of: 1, time: "2026-01-01T00:00:00.000Z", actor: "x", command: "allocate", label: "phantom", before: null, after, digest })}\n`);
    const v = cli(dir, ["validate", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, note: expect.stringMatching(/killed-tx\) never reached the ledger/) });

    expect(cli(dir, ["allocate", "Marvejols"]).code).toBe(0);
    const audit = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.find((a) => a.outcome === "aborted")).toMatchObject({ tx: "killed-tx", command: "recovery" });
    expect(JSON.parse(cli(dir, ["validate", "--json"]).stdout)).toMatchObject({ ok: true, note: null });
  });

  it("a torn audit line is followed by an aborted marker and excused", () => {
    appendFileSync(join(dir, "audit.jsonl"), '{"tx":"torn-tx","seq":0,"of":3,"time":"2026-');
    expect(cli(dir, ["allocate", "Langogne"]).code).toBe(0);
    const lines = readFileSync(join(dir, "audit.jsonl"), "utf8").split("\n");
    const torn = lines.findIndex((l) => l.startsWith('{"tx":"torn-tx"'));
    expect(JSON.parse(lines[torn + 1]!)).toMatchObject({ tx: "torn-tx", outcome: "aborted" });
    expect(JSON.parse(cli(dir, ["validate", "--json"]).stdout)).toMatchObject({ ok: true, problems: [] });
  });
});

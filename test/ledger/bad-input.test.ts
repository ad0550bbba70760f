import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { cli, snapshotFiles, tempLedger } from "./support/ledger-dir.js";
import { runCli } from "../support/cli.js";

/** Every refused command: the expected exit code, a message naming the problem, and no byte written. */
function expectRefused(dir: string, args: string[], code: number, ...patterns: RegExp[]): void {
  const before = snapshotFiles(dir);
  const r = cli(dir, args);
  expect(r.code, r.stderr).toBe(code);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(snapshotFiles(dir)).toEqual(before);
}

describe("bad ledger lines", () => {
  let dir: string;
  let good: string;
  beforeAll(() => {
    dir = tempLedger();
    expect(cli(dir, ["allocate", "Mende", "Florac Trois Rivières", "Marvejols"]).code).toBe(0);
    good = readFileSync(join(dir, "ledger.jsonl"), "utf8");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (lines: string[]) => string[], RegExp[]][] = [
    ["a line that is not JSON", (l) => [l[0]!, "{not json", ...l.slice(1)], [/ledger\.jsonl:2: not a JSON object/]],
    ["an unknown key", (l) => [l[0]!, l[1]!.replace("{", '{"colour":"blue",'), ...l.slice(2)], [/ledger\.jsonl:2: .*colour/i]],
    ["an unknown state", (l) => [l[0]!.replace('"allocated"', '"borrowed"'), ...l.slice(1)], [/ledger\.jsonl:1: state/]],
    ["a malformed commune key", (l) => [l[0]!.replace(/"key":"\d{9}"/, '"key":"12345"'), ...l.slice(1)], [/ledger\.jsonl:1: key: a SIREN/]],
    ["a hand-edited duplicate label", (l) => [...l, l[1]!], [/ledger\.jsonl:4: label "[a-z-]+" already appears on line 2/]],
  ];
  for (const [what, edit, patterns] of cases) {
    it(`${what}: every command exits 2 naming the line, and writes nothing`, () => {
      writeFileSync(join(dir, "ledger.jsonl"), `${edit(good.trim().split("\n")).join("\n")}\n`);
      expectRefused(dir, ["allocate", "Langogne"], 2, ...patterns);
      expectRefused(dir, ["onboard", "Mende", "--services", "messages"], 2, ...patterns);
      expectRefused(dir, ["validate"], 2, ...patterns);
      writeFileSync(join(dir, "ledger.jsonl"), good);
    });
  }

  it("check reads only the lines about its query: a bad line there exits 2 naming it; elsewhere, validate finds it", () => {
    const lines = good.trim().split("\n");
    const mende = lines.findIndex((l) => l.includes('"label":"mende"'));
    const edited = lines.map((l, i) => (i === mende ? l.replace("{", '{"colour":"blue",') : l));
    writeFileSync(join(dir, "ledger.jsonl"), `${edited.join("\n")}\n`);
    expectRefused(dir, ["check", "mende"], 2, new RegExp(`ledger\\.jsonl:${mende + 1}: .*colour`));
    expectRefused(dir, ["check", "214800955"], 2, new RegExp(`ledger\\.jsonl:${mende + 1}: .*colour`));
    expect(cli(dir, ["check", "marvejols"]).code).toBe(0);
    writeFileSync(join(dir, "ledger.jsonl"), `${[...lines, lines[mende]!].join("\n")}\n`);
    expectRefused(dir, ["check", "mende"], 2, /already appears on line/);
    writeFileSync(join(dir, "ledger.jsonl"), good);
  });

  it("a valid line breaking an invariant (alias of a commune without label): validate exits 1 naming it, writes are refused", () => {
    const alias = JSON.stringify({ label: "ancienne", state: "alias", key: "200000001", aliasOf: "999999999", allocatedAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" });
    writeFileSync(join(dir, "ledger.jsonl"), `${alias}\n${good}`);
    const v = cli(dir, ["validate"]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/ledger\.jsonl:1: label "ancienne": alias of 999999999, which holds no allocated label/);
    expect(v.stdout).toMatch(/ledger\.jsonl:1: label "ancienne" differs from the audit log/);
    expectRefused(dir, ["allocate", "Langogne"], 1, /refused, nothing written/, /alias of 999999999/);
    writeFileSync(join(dir, "ledger.jsonl"), good);
  });

  it("two allocated labels for one commune, or a hand edit the audit log does not know: validate exits 1", () => {
    const lines = good.trim().split("\n").map((l) => JSON.parse(l) as { label: string; key: string });
    const copy = { ...lines[0]!, label: "zz-copie" };
    writeFileSync(join(dir, "ledger.jsonl"), `${good}${JSON.stringify(copy)}\n`);
    const v = cli(dir, ["validate", "--json"]);
    expect(v.code).toBe(1);
    const out = JSON.parse(v.stdout) as { problems: string[] };
    expect(out.problems.join("\n")).toMatch(/ledger\.jsonl:4: key \d{9} already holds the allocated label/);
    expect(out.problems.join("\n")).toMatch(/label "zz-copie" differs from the audit log/);
    writeFileSync(join(dir, "ledger.jsonl"), good);
    expect(cli(dir, ["validate"]).code).toBe(0);
  });

  it("a missing ledger directory is named, not created", () => {
    const r = cli(join(dir, "nope"), ["allocate", "Mende"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ledger directory .*nope does not exist/);
  });
});

describe.each(ledgerBackends())("bad command input writes nothing ($name store)", (backend) => {
  let target: LedgerTarget;
  let dir: string;
  let scratch: string;
  beforeAll(async () => {
    target = await backend.create();
    dir = target.location;
    scratch = target.scratch;
    expect(cli(dir, ["allocate", "Mende"]).code).toBe(0);
  });
  afterAll(() => target.remove());

  it("refuses a bare homonym name with the candidates, and a query matching nothing", () => {
    expectRefused(dir, ["allocate", "Saint-Denis"], 2, /designates 4 communes/, /saint-denis-93 +Saint-Denis \(93\)/);
    expectRefused(dir, ["allocate", "Mende", "Nowhere-sur-Rien"], 2, /no current or former commune matches "Nowhere-sur-Rien"/);
    expectRefused(dir, ["allocate"], 2, /exactly one of these/);
    expectRefused(dir, ["allocate", "Mende", "--all"], 2, /exactly one of these/);
  });

  it("refuses unknown services, malformed quotas and quotas for a service not enrolled", () => {
    expectRefused(dir, ["onboard", "Mende", "--services", "messages,visio"], 2, /unknown service "visio"; services: messages, fichiers/);
    expectRefused(dir, ["onboard", "Mende", "--services", "messages", "--quota", "messages.user=5GB"], 2, /service messages has no account type "user"/);
    expectRefused(dir, ["onboard", "Mende", "--services", "messages", "--quota", "messages.mailbox=5GiB"], 2, /is not a size/);
    expectRefused(dir, ["onboard", "Mende", "--services", "messages", "--quota", "fichiers.user=5GB"], 2, /fichiers is not in --services/);
    expectRefused(dir, ["onboard", "Mende"], 2, /--services is required/);
    expectRefused(dir, ["offboard", "Marvejols"], 2, /holds no label in the ledger/);
  });

  it("refuses unreadable CSV rows, naming each line", () => {
    const csv = join(scratch, "legacy.csv");
    writeFileSync(csv, ["siren,label", "214800955,mende", "2148,bad-code", "214801359,Saint Chély", "214800112,mail", "214800112,a,b", ""].join("\n"));
    expectRefused(dir, ["import", csv], 2, /legacy\.csv:3: "2148" is neither a SIREN/, /legacy\.csv:4: "Saint Chély" is not a valid DNS label/, /legacy\.csv:5: "mail" is on the reserved list/, /legacy\.csv:6: expected 2 columns/);
    expectRefused(dir, ["import", join(scratch, "absent.csv")], 2, /cannot read .*absent\.csv: ENOENT/);
  });

  it("refuses conflicting legacy labels with a report (exit 1), importing none of the file", () => {
    const csv = join(scratch, "conflicts.csv");
    // Line 1 alone would be fine; the others conflict: label held by Mende, Mende holding another label, unknown SIREN, label twice.
    writeFileSync(csv, ["48061,lozere-ville", "48094,mende", "214800955,mende-ville", "999999999,nulle-part", "48080,lozere-ville"].join("\n"));
    const before = snapshotFiles(dir);
    const r = cli(dir, ["import", csv]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/conflicts\.csv:2: label "mende" is already in the ledger as allocated, held for Mende/);
    expect(r.stdout).toMatch(/conflicts\.csv:3: Mende \(48095\) already holds "mende"/);
    expect(r.stdout).toMatch(/conflicts\.csv:4: 999999999 is not a current commune/);
    expect(r.stdout).toMatch(/conflicts\.csv:5: label "lozere-ville" already appears on line 1/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("refuses an empty actor instead of recording the OS user", () => {
    for (const [args, env, source] of [
      [["--actor="], {}, "--actor"],
      [["--actor", "  "], {}, "--actor"],
      [[], { DOMAINES_ACTOR: "" }, "DOMAINES_ACTOR"],
    ] as const) {
      const before = snapshotFiles(dir);
      const r = runCli(["allocate", "Marvejols", "--ledger", dir, ...args], { env: { ...env } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${source} is empty: give the name of who makes the change`);
      expect(snapshotFiles(dir)).toEqual(before);
    }
  });

  it("refuses an unknown export format", () => {
    expectRefused(dir, ["export", "--format", "xml"], 2, /--format "xml" is not an export format; use one of: json, csv, zone, opendata\./);
  });

  it("refuses zone-only options with the ledger formats instead of ignoring them", () => {
    expectRefused(dir, ["export", "--format", "csv", "--departement", "48"], 2, /--departement applies to --format zone only/);
  });

  it.runIf(backend.name === "file")("refuses a malformed lock setting instead of guessing", () => {
    const before = snapshotFiles(dir);
    const r = cli(dir, ["allocate", "Marvejols"], { DOMAINES_LOCK_STALE_MS: "10" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DOMAINES_LOCK_STALE_MS="10" must be .* at least 2000/);
    expect(snapshotFiles(dir)).toEqual(before);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { cli, ledgerLines, snapshotFiles, tempLedger } from "../ledger/support/ledger-dir.js";

/**
 * Output and input hygiene (issue 10), through the CLI: exports never land on the
 * ledger's own files, spreadsheets get no formula, terminals get no escape sequence
 * from a data file, input files have a ceiling, commune data has one commune per
 * code, and `import` does not hand out a label the naming rules give to another.
 */

const root = mkdtempSync(join(tmpdir(), "domaines-hygiene-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = { typeLiaison: 0, zone: "metro", arrondissement: "481", region: "76", rangChefLieu: 0, codesPostaux: ["48000"], population: 100 };
function communesFile(name: string, communes: { code: string; nom: string; siren: string }[]): string {
  const path = join(root, name);
  writeFileSync(path, JSON.stringify(communes.map((c) => ({ ...base, ...c, departement: "48", type: "commune-actuelle" }))));
  return path;
}

describe("export --out never writes onto the ledger's own files", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempLedger();
    expect(cli(dir, ["allocate", "Mende", "Marvejols"]).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["audit.jsonl", "ledger.jsonl", "ledger.jsonl.lock", "dns-applied.json"])("--out <ledger>/%s is refused, the ledger and its audit log untouched", (file) => {
    const before = snapshotFiles(dir);
    for (const format of ["json", "csv", "zone"]) {
      const r = cli(dir, ["export", "--format", format, "--out", join(dir, file)]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--out ${join(dir, file)} is one of the ledger's own files in ${dir}`);
    }
    expect(snapshotFiles(dir)).toEqual(before);
    expect(cli(dir, ["validate"]).code).toBe(0);
  });

  it("also through a link to the ledger's directory", () => {
    const link = join(root, "link-to-ledger");
    symlinkSync(dir, link);
    const before = snapshotFiles(dir);
    const r = cli(dir, ["export", "--format", "json", "--out", join(link, "audit.jsonl")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is one of the ledger's own files/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("another file in the ledger's directory is an ordinary output", () => {
    const r = cli(dir, ["export", "--format", "csv", "--out", join(dir, "backup.csv")]);
    expect(r.code, r.stderr).toBe(0);
    expect(cli(dir, ["validate"]).code).toBe(0);
  });
});

describe("export --format csv neutralises cells a spreadsheet would run as formulas", () => {
  it("prefixes =, +, -, @, tab and CR at the start of a cell with an apostrophe, and leaves other names as they are", () => {
    const names = ['=HYPERLINK("http://evil.example","x")', "+33 Ville", "-Moins", "@SUM(A1)", "\tTabulée", "\rRetour", "L'Épine"];
    const file = communesFile(
      "formulas.json",
      names.map((nom, i) => ({ code: `4800${i + 1}`, nom, siren: `20000000${i + 1}` })),
    );
    const dir = tempLedger();
    try {
      expect(cli(dir, ["allocate", "--all", "--communes", file]).code).toBe(0);
      const r = cli(dir, ["export", "--format", "csv", "--communes", file]);
      expect(r.code, r.stderr).toBe(0);
      const nameCells = r.stdout.trim().split("\n").slice(1).map((line) => line.match(/^(?:[^,]*,){6}("(?:[^"]|"")*"|[^,]*),/)![1]!);
      expect(nameCells.sort()).toEqual(['"\'=HYPERLINK(""http://evil.example"",""x"")"', "'+33 Ville", "'-Moins", "'@SUM(A1)", "'\tTabulée", '"\'\rRetour"', "L'Épine"].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("names printed to a terminal carry no control characters from the data", () => {
  const evil = "Mende\x1b[2J\x1b]0;pwned\x07\u202eesrever\x9b31m";
  let file: string;
  beforeAll(() => {
    file = communesFile("ansi.json", [
      { code: "48095", nom: evil, siren: "214800955" },
      { code: "48092", nom: "Marvejols", siren: "214800922" },
    ]);
  });

  it("names, check and allocate show escapes visibly; --json keeps the data as it is", () => {
    const dir = tempLedger();
    try {
      for (const args of [["names"], ["check", "214800955"], ["allocate", "214800955"], ["check", "214800955"]]) {
        const r = cli(dir, [...args, "--communes", file]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout + r.stderr).not.toMatch(/[\x1b\x07\x9b\u202e]/);
        expect(r.stdout).toContain("Mende\\x1b[2J\\x1b]0;pwned\\x07\\u202eesrever\\x9b31m");
      }
      const j = cli(dir, ["names", "--json", "--communes", file]);
      expect((JSON.parse(j.stdout) as { name: string }[]).map((c) => c.name)).toContain(evil);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("error messages quoting a name are made safe too", () => {
    const dir = tempLedger();
    try {
      const r = cli(dir, ["offboard", "214800955", "--communes", file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toMatch(/[\x1b\x07\x9b\u202e]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("input files have a ceiling", () => {
  it.each([
    ["--communes /dev/zero", ["names", "--communes", "/dev/zero"], /communes file \/dev\/zero is larger than 64 MB, the limit for an input file/],
    ["--config /dev/zero", ["plan", "--config", "/dev/zero", "--ledger", root], /configuration \/dev\/zero is larger than 64 MB/],
    ["import /dev/zero", ["import", "/dev/zero", "--ledger", join(tmpdir(), "domaines-hygiene-never")], /\/dev\/zero is larger than 64 MB, the limit for an input file/],
  ])("%s: exit 2, code limit, naming the limit", (_what, args, message) => {
    const r = runCli([...args, "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe("limit");
  });

  it("a regular file over the limit is refused from its size, before reading it", () => {
    const big = join(root, "huge-communes.json");
    writeFileSync(big, "");
    truncateSync(big, 5e9); // sparse: 5 GB announced, nothing on disk
    const r = runCli(["names", "--communes", big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is larger than 64 MB, the limit for an input file/);
  });
});

describe("commune data", () => {
  it("refuses two current communes with one INSEE code, naming the code and both names", () => {
    const file = communesFile("dup-insee.json", [
      { code: "48095", nom: "Mende", siren: "214800955" },
      { code: "48095", nom: "Mende-Bis", siren: "214800956" },
    ]);
    const r = runCli(["names", "--communes", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/INSEE code 48095 is given to two current communes \("Mende" and "Mende-Bis"\)/);
  });
});

describe("import does not hand a commune a label the naming rules give to another", () => {
  let dir: string;
  let csv: (name: string, rows: string) => string;
  beforeAll(() => {
    dir = tempLedger();
    const files = join(root, "import");
    mkdirSync(files, { recursive: true });
    csv = (name, rows) => {
      const path = join(files, name);
      writeFileSync(path, `insee,label\n${rows}\n`);
      return path;
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses Paris's computed label for Rodez, and a homonym group's bare slug, writing nothing", () => {
    const before = snapshotFiles(dir);
    const r = cli(dir, ["import", csv("contested.csv", "12202,paris\n93066,saint-denis")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/contested\.csv:2: label "paris" is the computed label of Paris \(75, INSEE 75056\), another current commune; pass --allow-contested-labels/);
    expect(r.stdout).toMatch(/contested\.csv:3: label "saint-denis" is the bare slug of a homonym group \(4 communes, INSEE 11339, 30247, 93066, 97411\), reserved for none of them/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("records them with --allow-contested-labels, with a warning and the flag in the audit log", () => {
    const r = cli(dir, ["import", csv("contested.csv", "12202,paris\n93066,saint-denis"), "--allow-contested-labels", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { imported: number; warnings: string[] };
    expect(out.imported).toBe(2);
    expect(out.warnings).toHaveLength(2);
    expect(r.stderr).toMatch(/label "paris" is the computed label of Paris .*; recorded for Rodez \(12202\) as asked \(--allow-contested-labels\)/);
    const held = ledgerLines(dir).filter((l) => l.legacy === true).map((l) => [l.label, l.name]);
    expect(held).toEqual([["paris", "Rodez"], ["saint-denis", "Saint-Denis"]]);
    expect(readFileSync(join(dir, "audit.jsonl"), "utf8")).toContain("--allow-contested-labels");
  });

  it("a commune importing its own computed label needs no flag", () => {
    const r = cli(dir, ["import", csv("own.csv", "48095,mende")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe("configured secrets never reach the terminal", () => {
  it("an error quoting a value that is a DOMAINES_*_TOKEN shows it redacted (the key pasted where a commune was expected)", () => {
    const token = "tok-9f8e7d6c5b4a3f2e";
    const dir = tempLedger();
    try {
      const r = cli(dir, ["onboard", token, "--services", "messages", "--json"], { DOMAINES_EO_TOKEN_CDG48: token });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no current or former commune matches "\[redacted\]"/);
      expect(r.stdout + r.stderr).not.toContain(token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const emptyLedger = mkdtempSync(join(tmpdir(), "domaines-naming-cli-"));
afterAll(() => rmSync(emptyLedger, { recursive: true, force: true }));

describe("domaines names", () => {
  it("lists Lozère's 152 communes as JSON with the documented fields", () => {
    const r = runCli(["names", "--departement", "48", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(152);
    for (const field of ["siren", "insee", "name", "departement", "slug", "label", "homonyms"]) expect(rows[0]).toHaveProperty(field);
    const mende = rows.find((x) => x.insee === "48095");
    expect(mende).toMatchObject({ label: "mende", homonyms: [], siren: "214800955" });
    const villefort = rows.find((x) => x.insee === "48198");
    expect(villefort).toMatchObject({ label: "villefort-48", homonyms: ["11424"] });
  });
  it("accepts 2a for Corse-du-Sud", () => {
    const r = runCli(["names", "--departement", "2a", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { departement: string }[];
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((x) => x.departement === "2A")).toBe(true);
  });
  it("refuses an unknown département with exit 2", () => {
    const r = runCli(["names", "--departement", "99"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--departement "99": no current commune/);
  });
});

describe("domaines check", () => {
  it("explains a homonym group", () => {
    const r = runCli(["check", "saint-denis", "--json", "--ledger", emptyLedger]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.query).toBe("saint-denis");
    expect(out.normalized.ascii).toBe("saint-denis");
    expect(out.state).toBe("reserved");
    expect(out.status).toMatchObject({ reason: "homonym-group", inLedger: false });
    expect(out.story[0]).toMatchObject({ kind: "homonyms", slug: "saint-denis", keeper: null });
    expect(out.story[0].members).toHaveLength(4);
    const labels = out.matches.map((m: { label: string }) => m.label).sort();
    expect(labels).toContain("saint-denis-93");
    expect(labels).toContain("saint-denis-974");
    expect(out.matches.every((m: { reason: string }) => m.reason === "homonym")).toBe(true);
  });
  it("finds a commune by IDN FQDN and answers in both forms", () => {
    const r = runCli(["check", "Saint-Rémy.collectivite.fr", "--json", "--ledger", emptyLedger]);
    const out = JSON.parse(r.stdout);
    expect(out.normalized.unicode).toBe("saint-rémy.collectivite.fr");
    expect(out.normalized.ascii).toBe("xn--saint-rmy-h4a.collectivite.fr");
    expect(out.matches.length).toBeGreaterThan(1);
  });
  it("finds a commune by SIREN, INSEE code and label alike", () => {
    for (const q of ["214800955", "48095", "mende", "mende.collectivite.fr", "MENDE"]) {
      const out = JSON.parse(runCli(["check", q, "--json", "--ledger", emptyLedger]).stdout);
      expect(out.matches.map((m: { insee: string }) => m.insee), q).toEqual(["48095"]);
    }
  });
  it("exits 1 with matches: [] when nothing matches", () => {
    const r = runCli(["check", "zzzz-nowhere", "--json", "--ledger", emptyLedger]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).matches).toEqual([]);
    expect(r.stderr).toMatch(/no current or former commune matches/);
  });
  it("prints plain words for support staff", () => {
    const r = runCli(["check", "Mende"], { env: { DOMAINES_LEDGER: emptyLedger } });
    expect(r.stdout.split("\n")[1]).toBe("Ledger: mende.collectivite.fr is free: no commune holds it yet; it is the label Mende (48, INSEE 48095) will get when allocated.");
    expect(r.stdout).toMatch(/Mende \(48\) will get mende by the naming rule: no other current commune has this slug/);
    expect(r.stdout).toMatch(/label: not allocated yet; it would get mende\.collectivite\.fr/);
  });
});

describe("bad input through the CLI: exit 2, clear message, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["empty query", ["check", ""], /query is empty/],
    ["whitespace", ["check", "   "], /query is empty/],
    // Linux caps one argument at 128 KiB; 1 MB queries are tested on the library.
    ["120 kB query", ["check", "a".repeat(120_000)], /too long/],
    ["control character", ["check", "men\u0001de"], /control character/],
    ["Cyrillic look-alike", ["check", "m\u0435nde"], /Cyrillic/],
    ["emoji", ["check", "🏔️"], /emoji/],
    ["invalid punycode", ["check", "xn--"], /punycode/],
    ["missing argument", ["check"], /takes one query argument, or --stdin/],
    ["unknown option", ["check", "mende", "--frobnicate"], /`domaines check` has no option "--frobnicate"\. Run `domaines check --help`\.$/m],
    ["an option one letter short", ["onboard", "Mende", "--service", "messages"], /has no option "--service"\. Did you mean --services\?/],
    ["a misspelt option", ["allocate", "--departemnt", "48"], /has no option "--departemnt"\. Did you mean --departement\?/],
    ["an option's value missing", ["allocate", "Mende", "--actor"], /--actor needs a value: --actor NAME \(who makes the change[^\n]*\)\. Run `domaines allocate --help`\.$/m],
    ["a value given to a flag", ["check", "mende", "--json=yes"], /--json takes no value: write --json alone/],
    ["unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    ["unreadable --communes", ["names", "--communes", "/nonexistent/communes.json"], /cannot read communes file/],
  ];
  it.each(cases)("%s", (_what, args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.length).toBeLessThan(600);
  });
  it("puts a JSON error on stdout under --json", () => {
    const r = runCli(["check", "", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/empty/);
  });
});

describe("--help on every command", () => {
  it("shows usage and examples", () => {
    for (const cmd of ["names", "check"]) {
      const r = runCli([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: domaines ${cmd}`));
      expect(r.stdout).toMatch(/Examples:/);
    }
    expect(runCli(["--help"]).stdout).toMatch(/Commands:/);
  });
});

describe("output into a closed pipe", () => {
  it("stops quietly when the reader goes away (names | head)", async () => {
    const { spawnSync } = await import("node:child_process");
    const { CLI } = await import("../support/cli.js");
    const r = spawnSync("bash", ["-c", `set -o pipefail; node ${JSON.stringify(CLI)} names | head -1`], { encoding: "utf8" });
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE/);
    expect(r.status).toBe(0);
  });
});

describe("the command registry", () => {
  it("lists each command once, with the summary its module declares, and every command answers --help", async () => {
    const { COMMANDS } = await import("../../src/cli/registry.js");
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const { command } = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary, entry.name).toBe(entry.summary);
      const r = runCli([entry.name, "--help"]);
      expect(r.code, entry.name).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: domaines ${entry.name}`));
    }
  });
});

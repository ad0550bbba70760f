import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { cli, snapshotFiles, tempLedger } from "../ledger/support/ledger-dir.js";

const require = createRequire(import.meta.url);
const cog = (year: number): string => require.resolve(`cog${year}/data/communes.json`);
const dirs: string[] = [];
const ledger = (): string => {
  const d = tempLedger("domaines-resolution-");
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface JsonError {
  error: { code: string; message: string; exitCode: number; candidates?: { key: string; name: string; departement: string; insee: string; siren: string | null; label: string | null }[] };
}
/** Runs a command as a script does: --json, then the exit code and the parsed stdout. */
function script(dir: string, args: string[]): { code: number; json: unknown; stderr: string } {
  const r = cli(dir, [...args, "--json"]);
  return { code: r.code, json: JSON.parse(r.stdout), stderr: r.stderr };
}

describe("a name several communes bear is refused, whoever holds the bare label", () => {
  // COG 2023 has one Sainte-Florence (33); COG 2024 adds Sainte-Florence (85): the 33 one keeps the bare label.
  const dir = ledger();
  it("after cog-sync grandfathers sainte-florence", () => {
    expect(cli(dir, ["allocate", "Sainte-Florence", "--communes", cog(2023)]).code).toBe(0);
    expect(cli(dir, ["cog-sync", "--apply", "--communes", cog(2024)]).code).toBe(0);
    const before = snapshotFiles(dir);
    for (const q of ["Sainte-Florence", "sainte-florence", "Sainte Florence"]) {
      const r = script(dir, ["onboard", q, "--services", "messages", "--communes", cog(2024)]);
      expect(r.code, q).toBe(2);
      const { error } = r.json as JsonError;
      expect(error.code).toBe("ambiguous");
      expect(error.exitCode).toBe(2);
      expect(error.candidates).toEqual([
        { key: "213304017", name: "Sainte-Florence", departement: "33", insee: "33401", siren: "213304017", label: "sainte-florence" },
        { key: "218502128", name: "Sainte-Florence", departement: "85", insee: "85212", siren: "218502128", label: "sainte-florence-85" },
      ]);
      expect(error.message).toMatch(/sainte-florence\.collectivite\.fr designates the holder of the label "sainte-florence", Sainte-Florence \(33\)/);
    }
    expect(snapshotFiles(dir)).toEqual(before);
    // The FQDN, the INSEE code and the SIREN are exact.
    expect(script(dir, ["onboard", "sainte-florence.collectivite.fr", "--services", "messages", "--communes", cog(2024), "--direct"]).json).toMatchObject({ key: "213304017", label: "sainte-florence", changed: ["messages"] });
    expect(script(dir, ["onboard", "85212", "--services", "messages", "--communes", cog(2024), "--direct"]).json).toMatchObject({ key: "218502128", label: "sainte-florence-85", status: "allocated" });
    expect(script(dir, ["onboard", "218502128", "--services", "messages", "--communes", cog(2024), "--direct"]).json).toMatchObject({ key: "218502128", changed: [] });
  });

  it("after a legacy import of saint-denis, for onboard and offboard alike", () => {
    const d = ledger();
    const csv = join(d, "legacy.csv");
    writeFileSync(csv, "siren,label\n929939411,saint-denis\n");
    // The homonym group's bare slug is contested: the import records it only when asked explicitly.
    expect(cli(d, ["import", csv]).code).not.toBe(0);
    expect(cli(d, ["import", csv, "--allow-contested-labels"]).code).toBe(0);
    for (const args of [["onboard", "Saint Denis", "--services", "messages"], ["offboard", "saint-denis"], ["allocate", "Saint-Denis"]]) {
      const r = script(d, args);
      expect(r.code, args.join(" ")).toBe(2);
      const { error } = r.json as JsonError;
      expect(error.code).toBe("ambiguous");
      expect(error.candidates!.map((c) => c.label)).toEqual(["saint-denis", "saint-denis-11", "saint-denis-30", "saint-denis-974"]);
    }
    const ok = script(d, ["onboard", "saint-denis.collectivite.fr", "--services", "messages", "--direct"]);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ key: "929939411", fqdn: "saint-denis.collectivite.fr", changed: ["messages"] });
  });
});

describe("old codes, SIRENs and names", () => {
  it("a merged commune's code or SIREN is refused as not-found, naming its successor; the ledger is untouched", () => {
    const d = ledger();
    for (const q of ["93059", "219300597", "Pierrefitte-sur-Seine"]) {
      const r = script(d, ["onboard", q, "--services", "messages"]);
      expect(r.code, q).toBe(2);
      const { error } = r.json as JsonError;
      expect(error.code).toBe("not-found");
      expect(error.message).toMatch(/Pierrefitte-sur-Seine \(93, INSEE 93059, SIREN 219300597\) merged into Saint-Denis \(93, INSEE 93066\) on 1 January 2025/);
      expect(error.candidates).toEqual([{ key: "929939411", name: "Saint-Denis", departement: "93", insee: "93066", siren: "929939411", label: "saint-denis-93" }]);
    }
    expect(snapshotFiles(d)).toEqual({ ledger: "<absent>", audit: "<absent>" });
  });

  it("a renamed or re-coded commune (same SIREN) is found by its old name or INSEE code", () => {
    const d = ledger();
    expect(script(d, ["allocate", "Cransac"]).json).toMatchObject({ communes: [{ key: "211200837", label: "cransac-les-thermes", status: "allocated" }] });
    expect(script(d, ["allocate", "12076"]).json).toMatchObject({ communes: [{ key: "200055929", label: "conques-en-rouergue" }] });
  });

  it("a query that matches nothing is not-found, pointing to check; a malformed one is invalid-input", () => {
    const d = ledger();
    const none = script(d, ["offboard", "zzz-nowhere"]);
    expect(none.code).toBe(2);
    expect((none.json as JsonError).error).toMatchObject({ code: "not-found", exitCode: 2 });
    expect((none.json as JsonError).error.message).toMatch(/`domaines check zzz-nowhere`/);
    expect((none.json as JsonError).error.candidates).toBeUndefined();
    const bad = script(d, ["onboard", "m\u0435nde", "--services", "messages"]);
    expect((bad.json as JsonError).error).toMatchObject({ code: "invalid-input", exitCode: 2 });
  });
});

describe("hints", () => {
  const d = ledger();
  it("an unquoted name with spaces is told to be quoted", () => {
    const r = cli(d, ["check", "Saint", "Denis"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/quote it, e\.g\. `domaines check "Saint Denis"`/);
    expect((script(d, ["onboard", "Saint", "Denis", "--services", "messages"]).json as JsonError).error.message).toMatch(/`domaines onboard "Saint Denis"`/);
  });
  it("verify of an IDN or A-label names the ASCII label it would have checked instead, and checks nothing", () => {
    for (const q of ["xn--saint-rmy-h4a.collectivite.fr", "saint-rémy.collectivite.fr"]) {
      const r = script(d, ["verify", q, "--resolver", "127.0.0.1:9"]);
      expect(r.code, q).toBe(2);
      expect((r.json as JsonError).error.code).toBe("invalid-input");
      expect((r.json as JsonError).error.message).toMatch(/is the IDN saint-rémy\.collectivite\.fr \(A-label xn--saint-rmy-h4a\.collectivite\.fr\).*`domaines verify saint-remy\.collectivite\.fr`/);
    }
  });
});

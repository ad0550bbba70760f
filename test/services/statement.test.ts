import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../../src/services/calendar.js";
import { PgDatabase } from "../../src/ledger/pg/database.js";
import { PostgresUsageHistory } from "../../src/services/pg-usage-history.js";
import { FileUsageHistory, type UsageSample } from "../../src/services/usage-history.js";
import { ROOT, runCli } from "../support/cli.js";
import { migratedDatabase, usePostgres } from "../support/postgres.js";
import { enrolled, tempDir, writeLedger } from "./fixtures.js";

/**
 * The four-monthly statement of the shipped example CDG48 for quadrimestre 1 of 2026,
 * issued on 4 May 2026, from a usage history with a month of missing samples and a
 * commune enrolled mid-period. Every figure below is computed by hand:
 * - fee: Mende 12,464 + Marvejols 4,764 + Saint-Chély-d'Apcher 3,955 = 21,183 × 0.02 € = 423.66 €;
 * - Mende, Messages (0.25 €/GB/month): January 10 GB every day but 10–12 → 2.50 €; February
 *   4 and 6 GB on alternate days → mean 5 GB → 1.25 €; March no sample → no amount, a
 *   31-day gap; April day d holds d GB → mean 15.5 GB → 3.875 → 3.88 €;
 * - Marvejols, Fichiers (0.10 €/GB/month), enrolled 15 February: 2 GB a day → 0.20 € in
 *   February (14 days expected, not 28), March and April; nothing in January;
 * - total 423.66 + 2.50 + 1.25 + 3.88 + 0.60 = 431.89 €.
 */
const MENDE = "214800955";
const MARVEJOLS = "214800922";
const GB = 1_000_000_000;

let dir: string;
let ledger: string;
let args: string[];
let samples: UsageSample[];

function sample(day: string, service: "messages" | "fichiers", commune: string, bytes: number, operator = "cdg48"): UsageSample {
  return { day, service, commune, operator, bytes, sirets: [`${commune}00017`], takenAt: `${day}T04:00:00.000Z` };
}

beforeAll(async () => {
  dir = tempDir("statement");
  const mende = enrolled(MENDE, "mende", "Mende", "48", { messages: {} });
  mende.services.messages!.enrolledAt = "2025-12-01T09:00:00.000Z";
  const marvejols = enrolled(MARVEJOLS, "marvejols", "Marvejols", "48", { fichiers: {} });
  marvejols.services.fichiers!.enrolledAt = "2026-02-15T09:00:00.000Z";
  ledger = writeLedger(dir, [mende, marvejols]);
  samples = [
    ...daysBetween("2026-01-01", "2026-01-31").filter((d) => d < "2026-01-10" || d > "2026-01-12").map((d) => sample(d, "messages", MENDE, 10 * GB)),
    ...daysBetween("2026-02-01", "2026-02-28").map((d) => sample(d, "messages", MENDE, (Number(d.slice(8)) % 2 === 1 ? 4 : 6) * GB)),
    ...daysBetween("2026-04-01", "2026-04-30").map((d) => sample(d, "messages", MENDE, Number(d.slice(8)) * GB)),
    ...daysBetween("2026-02-15", "2026-04-30").map((d) => sample(d, "fichiers", MARVEJOLS, 2 * GB)),
    // Chanac, enrolled directly by ANCT: its samples are not CDG48's.
    ...daysBetween("2026-01-01", "2026-04-30").map((d) => sample(d, "messages", "214800393", 1 * GB, "anct")),
  ];
  await new FileUsageHistory(join(ledger, "usage")).append(samples);
  args = ["--operator", "cdg48", "--quadrimestre", "2026-1", "--issued", "2026-05-04", "--ledger", ledger];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cost --quadrimestre: the avis des sommes à payer", () => {
  it("gives the fee, the usage per commune, service and month with its gaps, and the art. 8.6 mentions (JSON)", () => {
    const r = runCli(["cost", ...args, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/operator cdg48 is an EXAMPLE configuration/);
    expect(r.stderr).toMatch(/1 month line\(s\) have no sample at all: they carry no amount on this statement/);
    const st = JSON.parse(r.stdout);
    expect(st.mentions).toEqual({
      dateOfIssue: "2026-05-04",
      recipient: "Centre de gestion de la fonction publique territoriale de la Lozère — EXEMPLE, adresse à renseigner",
      codeServiceExecutant: "EXEMPLE-CSE",
      object: "Contrat de partenariat La Suite territoriale : contribution de partenariat 2026 et usage des services, quadrimestre 1 2026 (janvier–avril 2026)",
      contractNumber: "EXEMPLE-2026-CDG48",
      ejNumber: "EXEMPLE-EJ-0000000000",
      agreedPaymentDate: "2026-06-03",
      amountCents: 43_189,
    });
    expect(st.period).toEqual({ year: 2026, quadrimestre: 1, from: "2026-01-01", to: "2026-04-30", months: ["2026-01", "2026-02", "2026-03", "2026-04"] });
    expect(st.fee).toMatchObject({ included: true, countedCommunes: 3, countedPopulation: 21_183, cents: 42_366, capped: false });
    const lines = st.usage.lines.map((l: Record<string, unknown>) => [l.name, l.service, l.month, l.sampledDays, l.expectedDays, l.meanGb, l.cents, l.gaps]);
    expect(lines).toEqual([
      ["Marvejols", "fichiers", "2026-02", 14, 14, "2.000", 20, []],
      ["Marvejols", "fichiers", "2026-03", 31, 31, "2.000", 20, []],
      ["Marvejols", "fichiers", "2026-04", 30, 30, "2.000", 20, []],
      ["Mende", "messages", "2026-01", 28, 31, "10.000", 250, [{ from: "2026-01-10", to: "2026-01-12", days: 3 }]],
      ["Mende", "messages", "2026-02", 28, 28, "5.000", 125, []],
      ["Mende", "messages", "2026-03", 0, 31, null, null, [{ from: "2026-03-01", to: "2026-03-31", days: 31 }]],
      ["Mende", "messages", "2026-04", 30, 30, "15.500", 388, []],
    ]);
    expect(st.usage).toMatchObject({ cents: 823, linesWithGaps: 2, linesWithoutSample: 1, complete: false });
    expect(st.totalCents).toBe(43_189);
  });

  it("writes the same figures as CSV", () => {
    const r = runCli(["cost", ...args, "--format", "csv"]);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split("\n");
    expect(header).toBe("section,key,name,service,month,population,reach,counted,expected_days,sampled_days,missing_days,mean_gb,price_eur,amount_cents,amount_eur,detail");
    const usage = rows.filter((l) => l.startsWith("usage,"));
    expect(usage).toEqual([
      "usage,214800922,Marvejols,fichiers,2026-02,,,,14,14,0,2.000,0.10,20,0.20,",
      "usage,214800922,Marvejols,fichiers,2026-03,,,,31,31,0,2.000,0.10,20,0.20,",
      "usage,214800922,Marvejols,fichiers,2026-04,,,,30,30,0,2.000,0.10,20,0.20,",
      "usage,214800955,Mende,messages,2026-01,,,,31,28,3,10.000,0.25,250,2.50,gaps: 2026-01-10..2026-01-12",
      "usage,214800955,Mende,messages,2026-02,,,,28,28,0,5.000,0.25,125,1.25,",
      "usage,214800955,Mende,messages,2026-03,,,,31,0,31,,0.25,,,gaps: 2026-03-01..2026-03-31",
      "usage,214800955,Mende,messages,2026-04,,,,30,30,0,15.500,0.25,388,3.88,",
    ]);
    expect(rows).toContain("mention,,Montant du versement,,,,,,,,,,,43189,431.89,");
    expect(rows).toContain("mention,,Numéro d'EJ,,,,,,,,,,,,,EXEMPLE-EJ-0000000000");
    expect(rows.filter((l) => l.startsWith("fee,"))).toHaveLength(6);
    expect(rows).toContain("fee,214800955,Mende,,,12464,member,true,,,,,,24928,249.28,\"counted: 12,464 inhabitants, above 3,500, member directly\"");
    expect(rows.at(-1)).toBe("total,,,,,,,,,,,,,43189,431.89,");
  });

  it("writes a PDF in which pdftotext finds every mention and the total, and renders page 1 under build/", () => {
    const out = join(ROOT, "build", "avis-cdg48-2026-1.pdf");
    mkdirSync(join(ROOT, "build"), { recursive: true });
    const r = runCli(["cost", ...args, "--format", "pdf", "--out", out, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ format: "pdf", out, totalCents: 43_189, complete: false });
    expect(readFileSync(out).subarray(0, 5).toString()).toBe("%PDF-");
    const text = execFileSync("pdftotext", ["-layout", out, "-"], { encoding: "utf8" }).replace(/\u202f/g, " ");
    for (const mention of ["Date d'émission", "Destinataire du titre de recette", "Code service exécutant", "Objet de l'avis des sommes à payer", "Numéro du contrat", "Numéro d'EJ", "Date convenue de versement", "Montant du versement"]) {
      expect(text).toContain(mention);
    }
    for (const value of ["4 mai 2026", "3 juin 2026", "EXEMPLE-CSE", "EXEMPLE-2026-CDG48", "EXEMPLE-EJ-0000000000", "Centre de gestion de la fonction publique territoriale de la Lozère", "AVIS DES SOMMES À PAYER", "Saint-Chély-d'Apcher"]) {
      expect(text).toContain(value);
    }
    expect(text).toMatch(/Montant du versement\s+431,89 €/);
    expect(text).toContain("423,66 €");
    expect(text).toMatch(/Mende\s+Messages\s+mars 2026\s+0 \/ 31\s+—\s+0,25 €\s+sans relevé/);
    expect(text).toMatch(/Lacunes \(jours sans relevé, non comptés comme nuls\) : 10 janvier 2026 – 12 janvier 2026/);
    expect(text).toContain("EXEMPLE : configuration d'exemple");
    expect(text).toContain("page 1 / 1");
    expect(execFileSync("pdfinfo", [out], { encoding: "utf8" })).toMatch(/^Pages:\s+1$/m);
    const fonts = execFileSync("pdffonts", [out], { encoding: "utf8" });
    expect(fonts).toMatch(/DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    expect(fonts).toMatch(/DejaVuSans-Bold\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    const png = join(ROOT, "build", "avis-cdg48-2026-1-page1");
    execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", out, png]);
    expect(readFileSync(`${png}.png`).subarray(1, 4).toString()).toBe("PNG");
  });

  it("leaves the fee to quadrimestre 1: statement 2 has usage only, and says why", () => {
    const r = runCli(["cost", "--operator", "cdg48", "--quadrimestre", "2026-2", "--issued", "2026-09-02", "--ledger", ledger, "--json"]);
    expect(r.code).toBe(0);
    const st = JSON.parse(r.stdout);
    expect(st.fee).toMatchObject({ included: false, cents: 0 });
    expect(st.mentions.object).toBe("Contrat de partenariat La Suite territoriale : usage des services, quadrimestre 2 2026 (mai–août 2026)");
    // No sample after April: every enrolled month is a whole-month gap, with no amount.
    expect(st.usage.lines.map((l: { name: string; month: string; cents: number | null; gaps: unknown[] }) => [l.name, l.month, l.cents, l.gaps.length])).toEqual([
      ["Marvejols", "2026-05", null, 1], ["Marvejols", "2026-06", null, 1], ["Marvejols", "2026-07", null, 1], ["Marvejols", "2026-08", null, 1],
      ["Mende", "2026-05", null, 1], ["Mende", "2026-06", null, 1], ["Mende", "2026-07", null, 1], ["Mende", "2026-08", null, 1],
    ]);
    expect(st.totalCents).toBe(0);
  });

  it("counts only the days before the date of issue, and warns when the period is not over", () => {
    const r = runCli(["cost", "--operator", "cdg48", "--quadrimestre", "2026-1", "--issued", "2026-04-16", "--ledger", ledger, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/issued on 2026-04-16, before the quadrimestre ended \(2026-04-30\): usage is counted up to 2026-04-15/);
    const april = JSON.parse(r.stdout).usage.lines.find((l: { name: string; month: string }) => l.name === "Mende" && l.month === "2026-04");
    // The samples of 16–30 April are in the history, so they are counted; the expected days stop on the 15th.
    expect(april).toMatchObject({ expectedDays: 15, sampledDays: 30, cents: 388 });
    expect(addDays("2026-04-16", 30)).toBe(JSON.parse(r.stdout).mentions.agreedPaymentDate);
  });

  it.each([
    [["--quadrimestre", "2026-4"], /--quadrimestre "2026-4" must read YEAR-N with N 1 \(January–April\)/],
    [["--quadrimestre", "2026-1", "--issued", "2026-02-30"], /--issued "2026-02-30" is not a date/],
    [["--quadrimestre", "2026-1", "--format", "pdf"], /--format pdf writes a file: add --out FILE/],
    [["--quadrimestre", "2026-1", "--format", "docx"], /--format "docx" is not a statement format; use one of: text, json, csv, pdf/],
    [["--quadrimestre", "2026-1", "--year", "2026"], /--year does not apply to --quadrimestre/],
    [["--format", "csv"], /--format applies to the statement only: add --quadrimestre YYYY-N/],
  ])("refuses %j with exit 2", (extra, message) => {
    const r = runCli(["cost", "--operator", "cdg48", ...extra, "--ledger", ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("cost --quadrimestre on a PostgreSQL ledger", () => {
  const cluster = usePostgres();

  it("gives the same statement, byte for byte, as the file store with the same ledger and history", async () => {
    const url = migratedDatabase(await cluster());
    // The copy carries the usage history along with the ledger: the samples are in the database, the same ones.
    expect(runCli(["ledger", "copy", "--from", ledger, "--to", url, "--actor", "test"]).code).toBe(0);
    const db = new PgDatabase(url);
    try {
      const history = new PostgresUsageHistory(db);
      expect(await history.read({ from: "2000-01-01", to: "2100-01-01" })).toEqual(await new FileUsageHistory(join(ledger, "usage")).read({ from: "2000-01-01", to: "2100-01-01" }));
      expect(await history.append(samples)).toEqual({ added: 0, kept: samples });
    } finally {
      await db.close();
    }
    const onFiles = runCli(["cost", ...args, "--json"]);
    const onDb = runCli(["cost", ...args.slice(0, -1), url, "--json"]);
    expect(onDb.code, onDb.stderr).toBe(0);
    expect(JSON.parse(onDb.stdout).mentions.amountCents).toBe(43_189);
    expect(onDb.stdout).toBe(onFiles.stdout);
  });
});

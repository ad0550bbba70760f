import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataPath } from "../../src/paths.js";
import { runCli } from "../support/cli.js";
import { enrolled, tempDir, writeJson, writeLedger } from "./fixtures.js";

/**
 * `export --format opendata`: the dataset of art. 3.3, validated with Frictionless' own
 * JavaScript library (datapackage: the package profile, each Table Schema, the foreign key
 * from collectivites to structures), and checked for what must never be in it.
 */
const { Package } = createRequire(import.meta.url)("datapackage") as {
  Package: { load(descriptor: string): Promise<{ valid: boolean; errors: Error[]; resources: { name: string; read(o: { keyed: boolean; relations?: boolean }): Promise<Record<string, unknown>[]> }[] }> };
};

let dir: string;
let out: string;
let result: { code: number; stdout: string; stderr: string };

beforeAll(() => {
  dir = tempDir("opendata");
  const shipped = JSON.parse(readFileSync(dataPath("operators.json"), "utf8"));
  shipped.operators[0].epcis = ["244800405"]; // CC Coeur de Lozère: Mende is also reached through it
  const operators = writeJson(dir, "operators.json", shipped);
  const mende = enrolled("214800955", "mende", "Mende", "48", { messages: { organization: 123_456_789_000 }, fichiers: {} });
  mende.services.fichiers!.enrolledAt = "2026-01-05T08:00:00.000Z";
  const chanac = enrolled("214800393", "chanac", "Chanac", "48", { messages: {} });
  chanac.services.messages!.direct = true;
  const ledger = writeLedger(dir, [
    mende,
    chanac,
    enrolled("214800138", "badaroux", "Badaroux", "48", { fichiers: {} }), // covered through the EPCI
    enrolled("214800807", "langogne", "Langogne", "48", {}), // holds its label, uses no service: not listed
  ]);
  out = join(dir, "opendata");
  result = runCli(["export", "--format", "opendata", "--out", out, "--json", "--ledger", ledger, "--operators", operators]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("export --format opendata", () => {
  it("writes the three files and says how many rows, warning that the shipped operators are examples", () => {
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ format: "opendata", dir: out, files: ["collectivites.csv", "structures.csv", "datapackage.json"], collectivites: 3, structures: 1 });
    expect(result.stderr).toMatch(/operator cdg48 is an EXAMPLE configuration: do not publish this dataset as is/);
  });

  it("validates against its Frictionless profile and Table Schemas, foreign key included", async () => {
    const pkg = await Package.load(join(out, "datapackage.json"));
    expect(pkg.errors.map(String)).toEqual([]);
    expect(pkg.valid).toBe(true);
    const [collectivites, structures] = pkg.resources;
    expect(collectivites!.name).toBe("collectivites");
    const rows = await collectivites!.read({ keyed: true, relations: true });
    expect(rows.map((r) => [r.siren, r.code_insee, r.nom, r.code_departement, r.label, r.fqdn, r.services, (r.depuis as Date).toISOString().slice(0, 10), (r.structure as { id: string } | null)?.id ?? null, r.deploiement])).toEqual([
      ["214800138", "48013", "Badaroux", "48", "badaroux", "badaroux.collectivite.fr", "fichiers", "2026-01-15", "cdg48", "structure"],
      ["214800393", "48039", "Chanac", "48", "chanac", "chanac.collectivite.fr", "messages", "2026-01-15", null, "direct"],
      ["214800955", "48095", "Mende", "48", "mende", "mende.collectivite.fr", "fichiers messages", "2026-01-05", "cdg48", "structure"],
    ]);
    expect(await structures!.read({ keyed: true })).toEqual([
      { id: "cdg48", nom: "Centre de gestion de la fonction publique territoriale de la Lozère (CDG48)", siren: null, intercommunalites: "244800405", departements: "48", communes_couvertes: 12, collectivites_utilisatrices: 2 },
    ]);
  });

  it("holds no quota, cost, identifier of the Espace Opérateur, billing mention or token", () => {
    const pkg = JSON.parse(readFileSync(join(out, "datapackage.json"), "utf8"));
    const fields = pkg.resources.flatMap((r: { schema: { fields: { name: string }[] } }) => r.schema.fields.map((f) => f.name));
    const text = [readFileSync(join(out, "collectivites.csv"), "utf8"), readFileSync(join(out, "structures.csv"), "utf8"), ...fields].join("\n");
    for (const hidden of ["123456789000", "123.46 GB", "quota", "max_storage", "cents", "€", "example-cdg48-not-a-real-id", "example-anct-not-a-real-id", "EXEMPLE-EJ", "EXEMPLE-CSE", "token", "DOMAINES_", "population", "12464"]) {
      expect(text.toLowerCase()).not.toContain(hidden.toLowerCase());
    }
    expect(readFileSync(join(out, "collectivites.csv"), "utf8").split("\n")[0]).toBe("siren,code_insee,nom,code_departement,label,fqdn,services,depuis,structure,deploiement");
  });

  it("fails validation when a row breaks its Table Schema (the check can fail)", async () => {
    const broken = join(dir, "broken");
    rmSync(broken, { recursive: true, force: true });
    mkdirSync(broken);
    for (const f of ["structures.csv", "datapackage.json"]) writeFileSync(join(broken, f), readFileSync(join(out, f)));
    writeFileSync(join(broken, "collectivites.csv"), readFileSync(join(out, "collectivites.csv"), "utf8").replace(",48095,", ",4809X,").replace(",cdg48,structure\n", ",nobody,structure\n"));
    const pkg = await Package.load(join(broken, "datapackage.json"));
    const error = await pkg.resources[0]!.read({ keyed: true, relations: true }).then(() => null, (e: Error & { errors?: Error[] }) => e);
    expect(error).not.toBeNull();
    expect([error!.message, ...(error!.errors ?? []).map(String)].join("\n")).toMatch(/pattern|constraint|foreign key|4809X|nobody/i);
  });
});

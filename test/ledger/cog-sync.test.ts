import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { cli, ledgerLines, snapshotFiles, writeJson } from "./support/ledger-dir.js";

/** A commune record in the @etalab/decoupage-administratif format. */
const commune = (code: string, nom: string, siren: string, departement = code.slice(0, 2)) => ({ code, nom, type: "commune-actuelle", departement, region: "76", siren });
const delegue = (code: string, nom: string, chefLieu: string) => ({ code, nom, type: "commune-deleguee", departement: code.slice(0, 2), chefLieu });

// One year of small, hand-made data, then the next: each commune exercises one rule of the spec.
const YEAR_1 = [
  commune("48001", "Alpha", "200000001"),
  commune("48002", "Bravo", "200000002"), // merged into a commune nouvelle of the same name and code (new SIREN)
  commune("48003", "Charlie", "200000003"), // merged into Delta: a délégué entry names it as chefLieu
  commune("48004", "Delta", "200000004"),
  commune("48005", "Echo", "200000005"), // renamed
  commune("48006", "Foxtrot", "200000006"), // new INSEE code, same SIREN
  commune("48007", "Golf", "200000007"), // gone, no successor in the data
  commune("48008", "Hotel", "200000008"), // a homonym appears elsewhere
  commune("48009", "India", "200000009"),
  commune("12009", "India", "200000109"), // an existing homonym pair
  commune("48010", "Juliet", "200000010"), // merged into a commune nouvelle with the same code and another name
];
const YEAR_2 = [
  commune("48001", "Alpha", "200000001"),
  commune("48002", "Bravo", "200000102"),
  commune("48004", "Delta", "200000004"),
  delegue("48003", "Charlie", "48004"),
  commune("48005", "Écho-sur-Mer", "200000005"),
  commune("48106", "Foxtrot", "200000006"),
  commune("48008", "Hotel", "200000008"),
  commune("12001", "Hotel", "200000012"),
  commune("48009", "India", "200000009"),
  commune("12009", "India", "200000109"),
  commune("48010", "Juliet-Kilo", "200000110"),
];

describe.each(ledgerBackends())("cog-sync applies the naming spec's stability rules ($name store)", (backend) => {
  let target: LedgerTarget;
  let dir: string;
  let year1: string;
  let year2: string;
  beforeAll(async () => {
    target = await backend.create();
    dir = target.location;
    year1 = writeJson(join(target.scratch, "year1.json"), YEAR_1);
    year2 = writeJson(join(target.scratch, "year2.json"), YEAR_2);
    expect(cli(dir, ["allocate", "--all", "--communes", year1]).code).toBe(0);
    // Synthetic communes no structure covers: enrolled directly (contract art. 3.3).
    expect(cli(dir, ["onboard", "Charlie", "--services", "messages", "--direct", "--communes", year1]).code).toBe(0);
  });
  afterAll(() => target.remove());

  it("without --apply reports and writes nothing", () => {
    const before = snapshotFiles(dir);
    const r = cli(dir, ["cog-sync", "--communes", year2]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Report only: nothing written/);
    expect(r.stdout).toMatch(/merger {7}Charlie \(48003\) → Delta via chefLieu: "charlie" alias of Delta \(48004\); services moved: messages/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("with --apply: inherit, alias, tombstone, rename reservation, INSEE history, grandfathered holder", () => {
    const r = cli(dir, ["cog-sync", "--apply", "--communes", year2, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: Record<string, number> };
    expect(report.summary).toMatchObject({ inseeChanges: 1, renames: 1, renameReservations: 1, mergers: 3, inherited: 1, aliases: 2, successorsAllocated: 1, tombstones: 1, newHomonyms: 1, problems: 0 });
    expect(cli(dir, ["allocate", "--all", "--communes", year2]).code).toBe(0); // the newcomer Hotel (12)

    const byLabel = new Map(ledgerLines(dir).map((e) => [e.label as string, e]));
    expect(byLabel.get("bravo")).toMatchObject({ state: "allocated", key: "200000102", inheritedFrom: "200000002" });
    expect(byLabel.get("charlie")).toMatchObject({ state: "alias", key: "200000003", aliasOf: "200000004" });
    expect(byLabel.get("charlie")!.services).toBeUndefined();
    expect(byLabel.get("delta")).toMatchObject({ state: "allocated", services: { messages: expect.any(Object) } }); // mail follows the merger
    expect(byLabel.get("juliet")).toMatchObject({ state: "alias", aliasOf: "200000110" });
    expect(byLabel.get("juliet-kilo")).toMatchObject({ state: "allocated", key: "200000110" });
    expect(byLabel.get("golf")).toMatchObject({ state: "tombstone", key: "200000007", tombstonedAt: expect.any(String) });
    expect(byLabel.get("echo")).toMatchObject({ state: "allocated", key: "200000005", name: "Echo", nameHistory: [{ name: "Écho-sur-Mer" }] });
    expect(byLabel.get("echo-sur-mer")).toMatchObject({ state: "reserved", reservedReason: "rename", key: "200000005" });
    expect(byLabel.get("foxtrot")).toMatchObject({ inseeHistory: [{ insee: "48006" }, { insee: "48106" }] });
    expect(byLabel.get("hotel")).toMatchObject({ state: "allocated", key: "200000008", grandfathered: true });
    expect(byLabel.get("hotel-12")).toMatchObject({ state: "allocated", key: "200000012" });
    expect(byLabel.get("india")).toMatchObject({ state: "reserved", reservedReason: "homonym-group", key: null });
    expect(cli(dir, ["validate"]).code).toBe(0);
  });

  it("check tells support staff what became of each label", () => {
    const words = (q: string) => cli(dir, ["check", q, "--communes", year2]).stdout.split("\n")[1];
    expect(words("charlie")).toMatch(/charlie\.collectivite\.fr is an alias of Delta \(48, INSEE 48004\): it belonged to Charlie, merged into it; mail for it goes there/);
    expect(words("golf")).toMatch(/golf\.collectivite\.fr is a tombstone since \d{4}-\d\d-\d\d: it belonged to Golf, which no longer exists; it is never reused/);
    expect(words("echo-sur-mer")).toMatch(/echo-sur-mer\.collectivite\.fr is reserved for Écho-sur-Mer \(48, INSEE 48005\)/);
    expect(words("hotel")).toMatch(/hotel\.collectivite\.fr is allocated to Hotel \(48, INSEE 48008\).*kept by its holder after a homonym appeared/);
    const golf = cli(dir, ["check", "golf", "--communes", year2, "--json"]);
    expect(golf.code).toBe(0); // the ledger knows the label, although no commune matches
    expect(JSON.parse(golf.stdout).ledgerLabel).toMatchObject({ state: "tombstone", key: "200000007" });
  });

  it("a renamed commune switches to its new name's label only on request; the old label stays as its alias", () => {
    const r = cli(dir, ["allocate", "200000005", "--switch", "--communes", year2, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: "echo", to: "echo-sur-mer" });
    const byLabel = new Map(ledgerLines(dir).map((e) => [e.label as string, e]));
    expect(byLabel.get("echo-sur-mer")).toMatchObject({ state: "allocated", key: "200000005", name: "Écho-sur-Mer" });
    expect(byLabel.get("echo")).toMatchObject({ state: "alias", key: "200000005", aliasOf: "200000005" });
    expect(cli(dir, ["validate"]).code).toBe(0);
    expect(cli(dir, ["check", "echo", "--communes", year2]).stdout).toMatch(/echo\.collectivite\.fr is an alias of Écho-sur-Mer \(48, INSEE 48005\): its label before it switched/);
    // Asked again (a script retrying after a crash): the same answer, nothing written.
    const files = snapshotFiles(dir);
    const again = cli(dir, ["allocate", "200000005", "--switch", "--communes", year2, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ from: "echo", to: "echo-sur-mer", status: "existing" });
    expect(snapshotFiles(dir)).toEqual(files);
    // A commune that never had a rename reserved for it is refused, naming it.
    const never = cli(dir, ["allocate", "200000001", "--switch", "--communes", year2, "--json"]);
    expect(never.code).toBe(2);
    expect((JSON.parse(never.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: "not-found", message: expect.stringMatching(/no label is reserved for/) });
  });

  it("a second sync of the same data changes nothing", () => {
    const before = snapshotFiles(dir);
    const r = cli(dir, ["cog-sync", "--apply", "--communes", year2, "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ labelsChanged: 0 });
    expect(snapshotFiles(dir)).toEqual(before);
  });
});

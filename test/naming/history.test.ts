import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildHistory, type HistorySnapshot } from "../../src/communes/history-build.js";
import { freshHistoryText } from "../../src/communes/history-sources.js";
import { CommuneHistory, historyDataPath, readHistoryFile, sameCommune, serializeHistory } from "../../src/communes/history.js";
import type { Commune, DelegatedCommune } from "../../src/communes/schema.js";

const commune = (key: string, insee: string, name: string, departement = "48"): Commune => ({ key, siren: key, insee, name, departement, region: null, population: null, postalCodes: [] });
const snapshot = (cog: number, communes: Commune[], delegated: DelegatedCommune[] = [], formerCodes: [string, string[]][] = []): HistorySnapshot => ({
  cog,
  version: `${cog}.0.0`,
  data: { source: `cog${cog}`, communes, delegated },
  formerCodes: new Map(formerCodes),
});

describe("buildHistory: the changes between snapshots, dated by the COG that first shows them", () => {
  const y1 = snapshot(
    2022,
    [commune("200000001", "48001", "Alpha"), commune("200000002", "48002", "Bravo"), commune("200000003", "48003", "Charlie"), commune("200000004", "48004", "Delta"), commune("200000009", "48009", "Golf")],
    [{ insee: "48099", name: "Vieux-Bourg", type: "commune-deleguee", chefLieu: "48004" }],
    [["48004", ["48098", "48099"]]],
  );
  const y2 = snapshot(
    2023,
    [commune("200000001", "48001", "Alpha-sur-Mer"), commune("200000002", "48102", "Bravo"), commune("200000005", "48003", "Charlie-Delta"), commune("200000004", "48004", "Delta")],
    [{ insee: "48009", name: "Golf", type: "commune-deleguee", chefLieu: "48003" }],
  );
  const y3 = snapshot(2024, [commune("200000001", "48001", "Alpha-sur-Mer"), commune("200000002", "48102", "Bravo"), commune("200000006", "48004", "Delta-Nouvelle")], [{ insee: "48003", name: "Charlie-Delta", type: "commune-deleguee", chefLieu: "48004" }]);
  const file = buildHistory([y3, y1, y2]);

  it("records renames, INSEE changes, mergers (same code, or chefLieu) and disappearances, oldest first", () => {
    expect(file.snapshots.map((s) => s.cog)).toEqual([2022, 2023, 2024]);
    expect(file.events.map((e) => [e.kind, e.cog, e.from.key])).toEqual([
      ["rename", 2023, "200000001"],
      ["recode", 2023, "200000002"],
      ["merger", 2023, "200000003"],
      ["merger", 2023, "200000009"],
      ["merger", 2024, "200000005"],
      ["merger", 2024, "200000004"],
    ]);
    const golf = file.events.find((e) => e.from.key === "200000009")!;
    expect(golf).toMatchObject({ kind: "merger", via: "chef-lieu", to: { key: "200000005", name: "Charlie-Delta" } });
    expect(file.events.find((e) => e.from.key === "200000003")).toMatchObject({ via: "same-insee" });
  });

  it("keeps what the oldest snapshot says of earlier years, one line per commune: délégués, and anciensCodes not among them", () => {
    expect(file.earlier).toEqual([{ before: 2022, to: { key: "200000004", insee: "48004", name: "Delta", departement: "48" }, names: [["48099", "Vieux-Bourg", "D"]], codes: ["48098"] }]);
  });

  it("follows a former commune to today through later mergers; a rename stays the same commune", () => {
    const h = new CommuneHistory(file);
    const current = new Set(y3.data.communes.map((c) => c.key));
    const isCurrent = (k: string): boolean => current.has(k);
    const golf = h.trace(h.byInsee("48009")[0]!, isCurrent);
    expect(golf.steps.map((s) => [s.kind, s.from.insee])).toEqual([["merger", "48009"], ["merger", "48003"]]);
    expect(golf.currentKey).toBe("200000006");
    expect(sameCommune(golf)).toBe(false);
    const alpha = h.trace(h.bySlug("alpha")[0]!, isCurrent);
    expect(alpha).toMatchObject({ currentKey: "200000001" });
    expect(sameCommune(alpha)).toBe(true);
    // An old code of the 2022 snapshot leads through Delta's 2024 merger.
    const old = h.trace(h.byInsee("48098")[0]!, isCurrent);
    expect(old.steps.map((s) => s.kind)).toEqual(["former-code", "merger"]);
    expect(old.currentKey).toBe("200000006");
    expect(h.bySlug("vieux-bourg")[0]).toMatchObject({ kind: "delegated", from: { insee: "48099", departement: "48" } });
  });

  it("round-trips through its committed form", () => {
    const text = serializeHistory(file);
    expect(JSON.parse(text)).toEqual(file);
    expect(text.split("\n").length).toBe(file.events.length + file.earlier.length + 6);
  });
});

describe("data/commune-history.json", () => {
  it("equals a fresh build from the pinned snapshots (run `npm run history` after a COG update)", () => {
    expect(readFileSync(historyDataPath(), "utf8") === freshHistoryText()).toBe(true);
  });

  const h = new CommuneHistory(readHistoryFile(historyDataPath()));
  it("holds the changes of COG 2023-2026 as measured on the snapshots", () => {
    const count = (kind: string, cog: number): number => h.file.events.filter((e) => e.kind === kind && e.cog === cog).length;
    expect([2023, 2024, 2025, 2026].map((y) => [count("merger", y), count("disappeared", y), count("rename", y), count("recode", y)])).toEqual([
      [18, 0, 14, 1],
      [22, 2, 10, 1],
      [102, 8, 9, 4],
      [0, 0, 19, 0],
    ]);
    expect(h.file.snapshots.at(-1)).toEqual({ cog: 2026, version: "6.0.0" });
  });

  it("knows Pierrefitte-sur-Seine by its INSEE code, SIREN and name: merged into Saint-Denis (93) in 2025", () => {
    for (const events of [h.byInsee("93059"), h.byKey("219300597"), h.bySlug("pierrefitte-sur-seine")]) {
      expect(events).toEqual([{ kind: "merger", cog: 2025, via: "chef-lieu", from: { key: "219300597", insee: "93059", name: "Pierrefitte-sur-Seine", departement: "93" }, to: { key: "929939411", insee: "93066", name: "Saint-Denis", departement: "93" } }]);
    }
  });
});

import { describe, expect, it } from "vitest";
import { loadCommunes, validateCommunesFile, bundledCommunesPath } from "../../src/communes/load.js";
import { computeLabels } from "../../src/naming/labels.js";
import { labelProblem } from "../../src/naming/label.js";
import { loadReservedLabels, readReservedText } from "../../src/naming/reserved.js";
import { readCompiledLabels } from "../../src/communes/compiled.js";
import { slugify } from "../../src/naming/slug.js";

// The whole bundled COG 2026, validated now (not the build-time compiled copy).
const data = validateCommunesFile(bundledCommunesPath());
const reserved = loadReservedLabels();
const labels = computeLabels(data.communes, { reserved });

describe("commune data (COG 2026)", () => {
  it("holds the 34,963 current communes less 984 and 989", () => {
    expect(data.communes).toHaveLength(34_963);
    expect(data.communes.some((c) => c.departement === "984" || c.departement === "989")).toBe(false);
  });
  it("keys by SIREN, and by insee:<code> only overseas where the data has none", () => {
    const noSiren = data.communes.filter((c) => c.siren === null);
    expect(noSiren.length).toBeGreaterThan(0);
    for (const c of noSiren) {
      expect(c.key).toBe(`insee:${c.insee}`);
      expect(["975", "977", "978", "986", "987", "988"]).toContain(c.departement);
    }
    for (const c of data.communes.filter((x) => x.siren)) expect(c.key).toBe(c.siren);
    expect(new Set(data.communes.map((c) => c.key)).size).toBe(data.communes.length);
  });
  it("the compiled copy used by the CLI equals a fresh validation when present", () => {
    const loaded = loadCommunes();
    // The compiled copy carries each name's slug, precomputed; it must be slugify's.
    expect(loaded.communes.map(({ slug, ...c }) => c)).toEqual(data.communes);
    for (const c of loaded.communes) if (c.slug !== undefined) expect(c.slug, c.insee).toBe(slugify(c.name));
    expect(loaded.delegated).toEqual(data.delegated);
    // This test must run on the compiled copy, not on a fallback (the build writes it).
    expect(loaded.compiled).toBe(true);
  });
  it("the compiled labels the CLI uses equal labels computed now, and are refused for another reserved list", () => {
    const text = readReservedText();
    const compiled = readCompiledLabels(text);
    expect(compiled).not.toBeNull();
    expect(new Map([...compiled!].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(new Map([...labels].sort(([a], [b]) => (a < b ? -1 : 1))));
    expect(readCompiledLabels(`${text}\nmende\n`)).toBeNull();
  });
});

describe("labels over the whole data set", () => {
  const all = data.communes.map((c) => ({ c, l: labels.get(c.key)! }));

  it("gives every commune a valid label", () => {
    const invalid = all.filter(({ l }) => l.label === null || labelProblem(l.label, reserved) !== null);
    expect(invalid.map(({ c }) => c.insee)).toEqual([]);
  });
  it("gives 34,963 distinct labels", () => {
    expect(new Set(all.map(({ l }) => l.label)).size).toBe(34_963);
  });
  it("suffixes exactly the members of slug groups of two or more", () => {
    const groupSize = new Map<string, number>();
    for (const c of data.communes) groupSize.set(slugify(c.name), (groupSize.get(slugify(c.name)) ?? 0) + 1);
    for (const { c, l } of all) {
      const size = groupSize.get(l.slug)!;
      if (size >= 2) {
        expect(l.label, c.insee).toMatch(new RegExp(`^${l.slug}-${c.departement.toLowerCase()}(-${c.insee.toLowerCase()})?$`));
        expect(l.homonyms).toHaveLength(size - 1);
      } else {
        expect(l.label, c.insee).toBe(l.slug);
        expect(l.homonyms).toEqual([]);
      }
    }
  });
  it("matches the spec's measured group counts (1,482 groups, 3,774 communes)", () => {
    const groups = new Map<string, number>();
    for (const { l } of all) groups.set(l.slug, (groups.get(l.slug) ?? 0) + 1);
    const multi = [...groups.values()].filter((n) => n >= 2);
    expect(multi.length).toBe(1482);
    expect(multi.reduce((a, b) => a + b, 0)).toBe(3774);
    expect(groups.get("sainte-colombe")).toBe(12);
    expect(groups.get("saint-sauveur")).toBe(11);
  });
  it("never gives a suffixed label equal to another commune's slug", () => {
    const slugs = new Set(all.map(({ l }) => l.slug));
    for (const { c, l } of all) if (l.homonyms.length > 0) expect(slugs.has(l.label!), c.insee).toBe(false);
  });
  it("follows the spec's examples", () => {
    const byInsee = new Map(all.map(({ c, l }) => [c.insee, l]));
    expect(byInsee.get("93066")?.label).toBe("saint-denis-93");
    expect(byInsee.get("97411")?.label).toBe("saint-denis-974");
    expect(byInsee.get("2A004")?.label).toBe("ajaccio");
    expect(byInsee.get("48095")?.label).toBe("mende");
    expect(byInsee.get("01001")?.label).toBe("l-abergement-clemenciat");
    expect(byInsee.get("94038")?.label).toBe("l-hay-les-roses");
  });
  it("explains accent-only collisions apart from exact homonyms", () => {
    const abbe = all.filter(({ l }) => l.slug === "abbecourt");
    expect(abbe.length).toBeGreaterThanOrEqual(2);
    expect(abbe.every(({ l }) => l.reason === "accent-collision")).toBe(true);
    const denis = all.filter(({ l }) => l.slug === "saint-denis");
    expect(denis.every(({ l }) => l.reason === "homonym")).toBe(true);
  });
});

describe("designate: the scanning and the indexed finder agree", () => {
  it("on names, labels, FQDNs, SIRENs, INSEE codes and keys of 500 communes spread over the data", async () => {
    const { indexedFinder, scanFinder } = await import("../../src/naming/lookup.js");
    const { normalizeQuery } = await import("../../src/naming/query.js");
    const { designate } = await import("../../src/ledger/resolve.js");
    const { bundledHistory } = await import("../../src/communes/history.js");
    const { indexLedger } = await import("../../src/ledger/entries.js");
    const scan = scanFinder(data.communes, labels);
    const indexed = indexedFinder(data.communes, labels);
    const empty = indexLedger([]);
    const history = bundledHistory();
    const step = Math.floor(data.communes.length / 500);
    let compared = 0;
    for (let i = 0; i < data.communes.length; i += step) {
      const c = data.communes[i]!;
      const label = labels.get(c.key)!.label!;
      for (const q of [c.name, label, `${label}.collectivite.fr`, c.siren ?? c.insee, c.insee, c.key, labels.get(c.key)!.slug]) {
        const n = normalizeQuery(q, "collectivite.fr");
        const a = designate(n, scan, empty, history);
        expect(designate(n, indexed, empty, history), q).toEqual(a);
        expect(a.communes.some((m) => m.commune.key === c.key), q).toBe(true);
        compared++;
      }
    }
    // 500 communes (one every 69) × 7 forms of each.
    expect(compared).toBe(Math.ceil(data.communes.length / step) * 7);
  });
});

import { describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import type { Commune } from "../../src/communes/schema.js";
import { buildFuzzyIndex, fuzzyQuery, maxEdits, weightedOsa, type FuzzyIndex } from "../../src/naming/fuzzy.js";
import { slugify } from "../../src/naming/slug.js";

const { communes } = loadCommunes();
const index: FuzzyIndex<Commune> = buildFuzzyIndex(communes);
const names = (query: string, limit = 3) => index.search(query, limit).map((h) => h.name);
// 35,000 searches each: a few seconds on an idle machine, minutes on a shared one.
const WHOLE_DATA_TIMEOUT = 600_000;
const bySlug = (slug: string) => communes.filter((c) => slugify(c.name) === slug);

/** A small deterministic generator (the same typo'd variants on every run). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/** The commune's name with one of its letters (not a space, hyphen or apostrophe) dropped. */
function dropOneLetter(name: string, random: () => number): string | null {
  const chars = [...name];
  const letters = chars.flatMap((ch, i) => (/\p{L}/u.test(ch) ? [i] : []));
  if (letters.length === 0) return null;
  chars.splice(letters[Math.floor(random() * letters.length)]!, 1);
  return chars.join("");
}

describe("how a query is read", () => {
  it("spells out St/Ste, drops separators and reads a trailing département", () => {
    expect(fuzzyQuery("St Denis")).toEqual({ compact: "saintdenis", departement: null });
    expect(fuzzyQuery("Ste-Colombe (48)")).toEqual({ compact: "saintecolombe", departement: "48" });
    expect(fuzzyQuery("ajaccio 2a")).toEqual({ compact: "ajaccio", departement: "2A" });
    expect(fuzzyQuery("Saint-Paul 974")).toEqual({ compact: "saintpaul", departement: "974" });
    expect(fuzzyQuery("Lhay les roses")).toEqual(fuzzyQuery("L'Haÿ-les-Roses"));
    // A lone number is a name to spell, not a département.
    expect(fuzzyQuery("48")).toEqual({ compact: "48", departement: null });
  });

  it("allows more edits for longer queries", () => {
    expect([1, 4, 5, 8, 9, 30].map(maxEdits)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it("measures omissions a little cheaper than other edits", () => {
    const d = weightedOsa(0.85);
    expect(d("mende", "mende", 3)).toBe(0);
    expect(d("mnde", "mende", 3)).toBeCloseTo(0.85); // a letter missing from the query
    expect(d("mennde", "mende", 3)).toBe(1); // a letter too many
    expect(d("mande", "mende", 3)).toBe(1); // a wrong letter
    expect(d("mnede", "mende", 3)).toBe(1); // two letters swapped
    expect(d("xyz", "mende", 2)).toBe(Infinity); // beyond the bound
    expect(weightedOsa(1)("mnde", "mende", 3)).toBe(1);
  });
});

describe("suggestions on the COG", () => {
  it("finds L'Haÿ-les-Roses without its apostrophe, diaeresis and hyphens", () => {
    const [hit] = index.search("Lhay les roses", 3);
    expect(hit).toMatchObject({ name: "L'Haÿ-les-Roses", match: "spelling", edits: 0 });
    expect(hit!.communes.map((c) => c.insee)).toEqual(["94038"]);
  });

  it("offers a homonym group as one suggestion holding every commune of the name", () => {
    const [hit] = index.search("St Denis", 3);
    expect(hit!.name).toBe("Saint-Denis");
    expect(hit!.communes.map((c) => c.departement).sort()).toEqual(bySlug("saint-denis").map((c) => c.departement).sort());
    expect(hit!.communes).toHaveLength(4);
    const [colombe] = index.search("Ste Colombe", 3);
    expect(colombe!.name).toBe("Sainte-Colombe");
    expect(colombe!.communes).toHaveLength(bySlug("sainte-colombe").length);
  });

  it("puts the commune of the département the query names first", () => {
    const [hit] = index.search("Sant-Denis (93)", 3);
    expect(hit!.name).toBe("Saint-Denis");
    expect(hit!.communes[0]!.insee).toBe("93066");
    expect(index.search("Mnde 48", 1)[0]!.communes.map((c) => c.insee)).toEqual(["48095"]);
  });

  it("completes a name's first words and finds a name without its article", () => {
    // Florac merged into Florac Trois Rivières (2016): its first word, with its département, names it first.
    const [florac] = index.search("Florac (48)", 3);
    expect(florac).toMatchObject({ name: "Florac Trois Rivières", match: "beginning", edits: 2 });
    expect(index.search("Havre", 1)[0]).toMatchObject({ name: "Le Havre", match: "without-article", edits: 0 });
  });

  it("corrects one wrong, missing, extra or swapped letter", () => {
    expect(names("Mnde")[0]).toBe("Mende");
    expect(names("Mennde")[0]).toBe("Mende");
    expect(names("Marseile")[0]).toBe("Marseille");
    expect(names("Stasbourg")[0]).toBe("Strasbourg");
    expect(names("Touluose")[0]).toBe("Toulouse");
    expect(names("Langone")[0]).toBe("Langogne");
  });

  it("offers nothing for what is no name, and at most the limit", () => {
    expect(index.search("", 3)).toEqual([]);
    expect(index.search("---", 3)).toEqual([]);
    expect(index.search("zzzzzzzzzzzzzzzzzz", 3)).toEqual([]);
    expect(index.search("Saint", 5)).toHaveLength(5);
    expect(index.search("Mende", 0)).toEqual([]);
  });

  it("finds ≥ 99 % of the communes in the first 3 suggestions when one letter of the name is dropped", () => {
    const random = seeded(42);
    let tried = 0;
    let inFirst3 = 0;
    let first = 0;
    const missed: string[] = [];
    for (const c of communes) {
      const typo = dropOneLetter(c.name, random);
      if (typo === null) continue;
      tried++;
      const hits = index.search(typo, 3);
      if (hits[0]?.communes.includes(c)) first++;
      if (hits.some((h) => h.communes.includes(c))) inFirst3++;
      else if (missed.length < 10) missed.push(`${c.name} (${c.departement}) as "${typo}": ${hits.map((h) => h.name).join(", ")}`);
    }
    // Every commune has a letter (the shortest name is "Y"), so every one was tried.
    expect(tried).toBe(communes.length);
    const share = inFirst3 / tried;
    console.log(`fuzzy: one letter dropped, ${inFirst3}/${tried} communes (${(share * 100).toFixed(2)} %) in the first 3 suggestions, ${((first / tried) * 100).toFixed(2)} % first; missed e.g. ${missed.slice(0, 3).join("; ")}`);
    expect(share).toBeGreaterThanOrEqual(0.99);
  }, WHOLE_DATA_TIMEOUT);

  it("with the département after the typo, finds ≥ 99 % of the communes among the first 3 communes listed", () => {
    const random = seeded(7);
    let found = 0;
    for (const c of communes) {
      const typo = dropOneLetter(c.name, random)!;
      const listed = index.search(`${typo} (${c.departement})`, 3).flatMap((h) => h.communes).slice(0, 3);
      if (listed.includes(c)) found++;
    }
    const share = found / communes.length;
    console.log(`fuzzy: one letter dropped + département, ${found}/${communes.length} (${(share * 100).toFixed(2)} %) among the first 3 communes`);
    expect(share).toBeGreaterThanOrEqual(0.99);
  }, WHOLE_DATA_TIMEOUT);
});

import { describe, expect, it } from "vitest";
import { slugify } from "../../src/naming/slug.js";

describe("slugify: the spec's edge cases", () => {
  it.each([
    ["L'Abergement-Clémenciat", "l-abergement-clemenciat"],
    ["Bors (Canton de Tude-et-Lavalette)", "bors-canton-de-tude-et-lavalette"],
    ["Œuilly", "oeuilly"],
    ["Bonnœil", "bonnoeil"],
    ["Vœuil-et-Giget", "voeuil-et-giget"],
    ["L'Haÿ-les-Roses", "l-hay-les-roses"],
    ["Saint-Hippolyte-du-Fort", "saint-hippolyte-du-fort"],
    ["Mühlbach-sur-Munster", "muhlbach-sur-munster"],
    ["Aÿ-Champagne", "ay-champagne"],
    ["L’Épine", "l-epine"],
    ["Lépine", "lepine"],
    ["Saint-Rémy", "saint-remy"],
    ["Saint-Remy", "saint-remy"],
    ["Y", "y"],
    ["Sainte-Marie - Le Haut", "sainte-marie-le-haut"],
    ["Ajaccio", "ajaccio"],
    ["Æ ß", "ae-ss"],
    ["  --Trim--  ", "trim"],
  ])("%s → %s", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("gives the same slug for NFC and NFD input", () => {
    const nfd = "Saint-Étienne".normalize("NFD");
    expect(nfd).not.toBe("Saint-Étienne");
    expect(slugify(nfd)).toBe("saint-etienne");
  });

  it("keeps L'Épine and Lépine apart (slugify 1.6 with strict merges them)", () => {
    expect(slugify("L'Épine")).not.toBe(slugify("Lépine"));
  });
});

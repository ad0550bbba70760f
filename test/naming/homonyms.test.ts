import { describe, expect, it } from "vitest";
import type { Commune } from "../../src/communes/schema.js";
import { computeLabels } from "../../src/naming/labels.js";

function commune(insee: string, name: string, departement: string): Commune {
  return { key: `insee:${insee}`, siren: null, insee, name, departement, region: null, population: null, postalCodes: [] };
}
const reserved = new Set(["www"]);

describe("computeLabels fallbacks", () => {
  it("uses <slug>-<dep>-<insee> when the slug repeats inside one département", () => {
    const labels = computeLabels([commune("01001", "Beaulieu", "01"), commune("01002", "Beaulieu", "01"), commune("02001", "Beaulieu", "02")], { reserved });
    expect(labels.get("insee:01001")?.label).toBe("beaulieu-01-01001");
    expect(labels.get("insee:01002")?.label).toBe("beaulieu-01-01002");
    expect(labels.get("insee:02001")?.label).toBe("beaulieu-02");
    expect(labels.get("insee:01001")?.reason).toBe("fallback");
  });
  it("uses the INSEE fallback when <slug>-<dep> is another commune's slug", () => {
    const labels = computeLabels([commune("01001", "Foo", "01"), commune("02001", "Foo", "02"), commune("03001", "Foo 01", "03")], { reserved });
    expect(labels.get("insee:01001")?.label).toBe("foo-01-01001");
    expect(labels.get("insee:03001")?.label).toBe("foo-01");
  });
  it("uses the INSEE fallback when <slug>-<dep> is already taken in the ledger", () => {
    const labels = computeLabels([commune("01001", "Foo", "01"), commune("02001", "Foo", "02")], { reserved, taken: new Set(["foo-02"]) });
    expect(labels.get("insee:02001")?.label).toBe("foo-02-02001");
    expect(labels.get("insee:01001")?.label).toBe("foo-01");
  });
  it("lowercases 2A/2B département suffixes", () => {
    const labels = computeLabels([commune("2A001", "Foo", "2A"), commune("2B001", "Foo", "2B")], { reserved });
    expect(labels.get("insee:2A001")?.label).toBe("foo-2a");
    expect(labels.get("insee:2B001")?.label).toBe("foo-2b");
  });
  it("reports a reserved slug as a problem instead of mangling it", () => {
    const labels = computeLabels([commune("01001", "WWW", "01")], { reserved });
    expect(labels.get("insee:01001")?.label).toBeNull();
    expect(labels.get("insee:01001")?.problem?.rule).toBe("reserved");
  });
});

import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { normalizeQuery } from "../../src/naming/query.js";

const ZONE = "collectivite.fr";

describe("normalizeQuery: what people type", () => {
  it.each([
    ["214800955", "siren", "214800955"],
    ["48095", "insee", "48095"],
    ["2a004", "insee", "2A004"],
    ["insee:97501", "key", "insee:97501"],
    ["Mende", "label-or-name", "mende"],
    ["  SAINT-RÉMY ", "label-or-name", "saint-remy"],
    ["saint-denis-93", "label-or-name", "saint-denis-93"],
    ["saint-denis-93.collectivite.fr", "fqdn", "saint-denis-93"],
    ["Saint-Denis-93.Collectivite.FR.", "fqdn", "saint-denis-93"],
    ["saint-rémy.collectivite.fr", "fqdn", "saint-remy"],
    ["xn--saint-rmy-h4a", "label-or-name", "saint-remy"],
    ["L’Haÿ-les-Roses", "label-or-name", "l-hay-les-roses"],
  ])("%j is a %s looking up %j", (input, kind, value) => {
    const q = normalizeQuery(input, ZONE);
    expect(q.kind).toBe(kind);
    expect(q.value).toBe(value);
  });

  it("answers an IDN FQDN in both forms", () => {
    const q = normalizeQuery("saint-rémy.collectivite.fr", ZONE);
    expect(q.unicode).toBe("saint-rémy.collectivite.fr");
    expect(q.ascii).toBe("xn--saint-rmy-h4a.collectivite.fr");
  });

  it("keeps the labels below a commune's for www.<label>", () => {
    const q = normalizeQuery("www.mende.collectivite.fr", ZONE);
    expect(q.value).toBe("mende");
    expect(q.subLabels).toEqual(["www"]);
  });
});

describe("normalizeQuery: bad input is a clear InputError", () => {
  const cases: [string, string, RegExp][] = [
    ["empty", "", /empty/],
    ["whitespace", " \t\n ", /empty/],
    ["1 MB string", "a".repeat(1_000_000), /too long/],
    ["control character", "men\u0007de", /control character U\+0007/],
    ["NUL", "mende\u0000", /control character U\+0000/],
    ["Cyrillic look-alike", "m\u0435nde", /Cyrillic .* U\+0435/],
    ["Greek", "\u03bcende", /Greek/],
    ["emoji", "mende 🏔️", /emoji U\+1F3D4/],
    ["invalid punycode", "xn--", /not valid punycode/],
    ["punycode overflow", "xn--999999999", /not valid punycode/],
    ["non-canonical punycode", "xn--zz-", /not valid punycode/],
    ["punycode of a Cyrillic name", "xn--80ak6aa92e", /Cyrillic/],
    ["a domain outside the zone", "mende.example.org", /not a name under collectivite\.fr/],
    ["empty label", "mende..collectivite.fr", /empty label/],
    ["only punctuation", "'-'", /no letter or digit/],
  ];
  it.each(cases)("%s", (_what, input, message) => {
    let error: unknown;
    try {
      normalizeQuery(input, ZONE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.length).toBeLessThan(400);
  });
});

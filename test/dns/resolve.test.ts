import { describe, expect, it } from "vitest";
import { canonicalIPv6, compressIPv6, parseResolverOption } from "../../src/dns/resolve.js";
import { compareAnswers, type VerifyInput } from "../../src/dns/verify.js";
import type { Answer } from "../../src/dns/resolve.js";

describe("--resolver", () => {
  it("takes HOST:PORT, a bare IPv4 (port 53) and [IPv6]:PORT", () => {
    expect(parseResolverOption("127.0.0.1:5353")).toBe("127.0.0.1:5353");
    expect(parseResolverOption("192.0.2.1")).toBe("192.0.2.1:53");
    expect(parseResolverOption("[::1]:5353")).toBe("[::1]:5353");
  });
  it.each(["localhost:53", "127.0.0.1:0", "127.0.0.1:70000", "300.0.0.1:53", "::1:53", ""])("refuses %j with exit 2", (raw) => {
    expect(() => parseResolverOption(raw)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/is not an address; use HOST:PORT/) }));
  });
});

describe("comparison with the model", () => {
  it("compares IPv6 addresses in full form", () => {
    expect(canonicalIPv6("2001:db8::10")).toBe(canonicalIPv6("2001:0DB8:0:0:0:0:0:0010"));
    expect(canonicalIPv6("::1")).toBe("0000:0000:0000:0000:0000:0000:0000:0001");
  });

  it("prints IPv6 addresses in RFC 5952 form: compressed, lowercase, the longest zero run as ::", () => {
    expect(compressIPv6("2001:0DB8:0000:0000:0000:0000:0000:0010")).toBe("2001:db8::10");
    expect(compressIPv6("0000:0000:0000:0000:0000:0000:0000:0001")).toBe("::1");
    expect(compressIPv6("0:0:0:0:0:0:0:0")).toBe("::");
    expect(compressIPv6("2001:db8:0:1:0:0:0:1")).toBe("2001:db8:0:1::1"); // the longest run
    expect(compressIPv6("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1"); // the first of equal runs
    expect(compressIPv6("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1"); // one zero group stays
    expect(compressIPv6("fe80::")).toBe("fe80::");
    expect(compressIPv6("::ffff:192.0.2.1")).toBe("::ffff:c000:201");
    expect(canonicalIPv6("::ffff:192.0.2.1")).toBe("0000:0000:0000:0000:0000:ffff:c000:0201");
    for (const bad of ["not-an-address", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::1", "::1.2.3.256"]) {
      expect(compressIPv6(bad)).toBe(bad);
      expect(canonicalIPv6(bad)).toBe(bad.toLowerCase());
    }
  });

  const input: VerifyInput = {
    fqdn: "mende.collectivite.fr",
    zone: "collectivite.fr",
    expected: [
      { owner: "k", name: "mende", type: "MX", ttl: 3600, value: "10 mx1.example.net.", purpose: "mx1", set: "messages" },
      { owner: "k", name: "mende", type: "MX", ttl: 3600, value: "20 mx2.example.net.", purpose: "mx2", set: "messages" },
      { owner: "k", name: "mende", type: "AAAA", ttl: 3600, value: "2001:db8::10", purpose: "web-aaaa-1", set: "web" },
    ],
    pending: [],
  };
  const answers = (mx: Answer, aaaa: Answer): Map<string, Answer> =>
    new Map([
      ["mende.collectivite.fr\tMX", mx],
      ["mende.collectivite.fr\tAAAA", aaaa],
    ]);

  it("says correct regardless of case and address spelling, and reports a value the model lacks", () => {
    const r = compareAnswers(input, answers({ status: "ok", values: ["10 MX1.example.net.", "20 mx2.example.net.", "30 evil.example."] }, { status: "ok", values: ["2001:db8:0:0:0:0:0:10"] }));
    expect(r.records.map((x) => `${x.purpose}:${x.status}`)).toEqual(["mx1:correct", "mx2:correct", "null:unexpected", "web-aaaa-1:correct"]);
    expect(r.ok).toBe(false);
  });

  it("tells missing (NXDOMAIN or no data) from incorrect", () => {
    const r = compareAnswers(input, answers({ status: "nxdomain" }, { status: "ok", values: ["2001:db8::11"] }));
    expect(r.records.map((x) => `${x.purpose}:${x.status}`)).toEqual(["mx1:missing", "mx2:missing", "web-aaaa-1:incorrect"]);
    expect(r.records[0]!.detail).toMatch(/NXDOMAIN/);
  });
});

import { describe, expect, it } from "vitest";
import { labelProblem, parseReservedList } from "../../src/naming/label.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";

const reserved = loadReservedLabels();

describe("labelProblem", () => {
  it("accepts LDH labels", () => {
    for (const ok of ["mende", "y", "saint-denis-93", "a1", "x".repeat(63)]) expect(labelProblem(ok, reserved)).toBeNull();
  });
  it.each([
    ["", "empty"],
    ["-mende", "ldh"],
    ["mende-", "ldh"],
    ["Mende", "ldh"],
    ["x".repeat(64), "ldh"],
    ["ab--cd", "hyphen-34"],
    ["xn--mnde-bsa", "reserved"],
    ["_dmarc", "reserved"],
    ["www", "reserved"],
    ["mta-sts", "reserved"],
    ["saint denis", "ldh"],
  ])("refuses %j (%s)", (label, rule) => {
    expect(labelProblem(label, reserved)?.rule).toBe(rule);
  });
  it("says why a 64-character label is refused", () => {
    expect(labelProblem("x".repeat(64), reserved)?.message).toMatch(/64 characters long/);
  });
});

describe("the reserved list in data/", () => {
  it("holds at least the spec's names", () => {
    const spec = "www mail mx mx1 mx2 smtp imap pop pop3 webmail autoconfig autodiscover mta-sts api admin ns ns1 ns2 dns postmaster abuse sso messages fichiers docs visio projets grist annuaire suite".split(" ");
    for (const name of spec) expect(reserved.has(name), name).toBe(true);
  });
  it("ignores comments and blank lines, and lowercases", () => {
    expect([...parseReservedList("# c\n\n WWW  # trailing\nmx\n")]).toEqual(["www", "mx"]);
  });
});

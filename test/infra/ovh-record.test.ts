import { describe, expect, test } from "vitest";
import { hasUnderscoreLabel, ovhTxtTarget, zoneRecordArgs } from "../../infra/ovh-record.js";
import type { DesiredRecord } from "../../src/records/types.js";
import { dkimPublicKey } from "./support/fixtures.js";

/** Reads an OVH TXT target back the way a resolver would: the quoted strings, concatenated. */
function strings(target: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"( |$)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(target)) !== null) {
    out.push(m[1]!);
    at = re.lastIndex;
  }
  expect(at, `target ${target} is not a sequence of quoted strings`).toBe(target.length);
  return out;
}

const rec = (r: Partial<DesiredRecord>): DesiredRecord => ({ owner: "214800950", name: "mende", type: "TXT", ttl: 3600, value: "v=spf1 -all", purpose: "spf", set: "messages", ...r }) as DesiredRecord;

describe("TXT targets in the form OVH stores them", () => {
  test("a short value is one quoted string (OVH adds the quotes itself when sent without)", () => {
    expect(ovhTxtTarget("v=spf1 include:_spf.messages.example.net -all")).toBe('"v=spf1 include:_spf.messages.example.net -all"');
  });

  test("a 2048-bit DKIM key becomes strings of at most 255 octets, first one full, joined by one space", () => {
    const value = `v=DKIM1; k=rsa; p=${dkimPublicKey()}`;
    expect(Buffer.byteLength(value)).toBeGreaterThan(255);
    const target = ovhTxtTarget(value);
    const parts = strings(target);
    expect(parts.length).toBe(Math.ceil(Buffer.byteLength(value) / 255));
    expect(parts.join("")).toBe(value);
    expect(parts.slice(0, -1).every((p) => p.length === 255)).toBe(true);
    expect(target).toBe(parts.map((p) => `"${p}"`).join(" "));
  });

  test("exactly 255 octets stays one string, 256 makes two", () => {
    expect(strings(ovhTxtTarget("a".repeat(255)))).toEqual(["a".repeat(255)]);
    expect(strings(ovhTxtTarget("a".repeat(256)))).toEqual(["a".repeat(255), "a"]);
  });

  test("quotes, backslashes and control characters are refused, not mangled", () => {
    expect(() => ovhTxtTarget('v=spf1 "x" -all', "mende spf")).toThrow(/mende spf: .*double quote or backslash/);
    expect(() => ovhTxtTarget("a\\b")).toThrow(/backslash/);
    expect(() => ovhTxtTarget("a\nb")).toThrow(/printable ASCII/);
    expect(() => ovhTxtTarget("é")).toThrow(/printable ASCII/);
  });
});

describe("zoneRecordArgs", () => {
  test("maps each field; other types pass the presentation value through", () => {
    expect(zoneRecordArgs("collectivite.fr", rec({ type: "MX", value: "10 mx1.messages.example.net.", purpose: "mx1" }))).toEqual({
      zone: "collectivite.fr",
      subdomain: "mende",
      fieldtype: "MX",
      target: "10 mx1.messages.example.net.",
      ttl: 3600,
    });
    expect(zoneRecordArgs("collectivite.fr", rec({ name: "", type: "CAA", value: '0 issue "letsencrypt.org"', purpose: "caa" })).target).toBe('0 issue "letsencrypt.org"');
  });

  test("a TTL below OVH's minimum of 60 is refused naming the record", () => {
    expect(() => zoneRecordArgs("collectivite.fr", rec({ ttl: 30 }))).toThrow(/214800950 spf \(TXT mende\): TTL 30 is below OVH's minimum of 60/);
  });

  test("names must be relative and lowercase", () => {
    expect(() => zoneRecordArgs("collectivite.fr", rec({ name: "mende.collectivite.fr." }))).toThrow(/relative to the zone/);
    expect(() => zoneRecordArgs("collectivite.fr", rec({ name: "Mende" }))).toThrow(/lowercase/);
  });

  test("underscore labels are detected anywhere in the name", () => {
    expect(hasUnderscoreLabel("_dmarc.mende")).toBe(true);
    expect(hasUnderscoreLabel("stmessages._domainkey.mende")).toBe(true);
    expect(hasUnderscoreLabel("_smtp._tls.mende")).toBe(true);
    expect(hasUnderscoreLabel("www.mende")).toBe(false);
    expect(hasUnderscoreLabel("")).toBe(false);
  });
});

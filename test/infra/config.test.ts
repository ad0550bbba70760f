import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseStackConfig, shardFromStackName, stackNameForShard } from "../../infra/config.js";
import { assertStackMatchesDeployment } from "../../infra/sources.js";
import { loadConfig } from "../../src/config/load.js";

const plain = () => false;
const dep48 = { "domaines:zone": "collectivite.fr", "domaines:shard": "48", "domaines:mailTechnicalDomain": "messages.example.net" };

function problems(raw: Record<string, string>, stack = "dep-48", isSecret = plain): string {
  try {
    parseStackConfig(raw, stack, isSecret);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("stack configuration", () => {
  test("values arrive as strings and are parsed, with defaults", () => {
    const c = parseStackConfig({ ...dep48, "domaines:defaultTtl": "300", "domaines:allowDeletions": "false", "ovh:endpoint": "ovh-eu" }, "dep-48", plain);
    expect(c).toEqual({ zone: "collectivite.fr", shard: "48", mailTechnicalDomain: "messages.example.net", defaultTtl: 300, maxDeletionShare: 0.05, maxUpdateShare: 0.05, allowDeletions: false, subscriptions: true });
    expect(parseStackConfig({ "domaines:zone": "Test.Collectivite.FR.", "domaines:shard": "platform" }, "platform", plain)).toMatchObject({ zone: "test.collectivite.fr", shard: "platform" });
    expect(parseStackConfig({ ...dep48, "domaines:shard": "2a" }, "dep-2a", plain).shard).toBe("2A");
  });

  test("every wrong or missing key is named, with what would fix it", () => {
    const msg = problems({ "domaines:shard": "48", "domaines:defaultTtl": "30", "domaines:maxDeletionShare": "5%", "domaines:allowDeletions": "yes", "domaines:zone_": "x" });
    expect(msg).toMatch(/^stack "dep-48" configuration is invalid:/);
    expect(msg).toMatch(/domaines:zone: missing; set it with `pulumi config set domaines:zone <value>`/);
    expect(msg).toMatch(/domaines:defaultTtl: "30" is not valid: an integer from 60 to 604800/);
    expect(msg).toMatch(/domaines:maxDeletionShare: /);
    expect(msg).toMatch(/domaines:allowDeletions: /);
    expect(msg).toMatch(/domaines:zone_: unknown key; known keys are domaines:zone, domaines:shard/);
  });

  test("a value of the wrong type is reported as such, never as missing", () => {
    const msg = problems({ ...dep48, "domaines:defaultTtl": "three hundred", "domaines:maxUpdateShare": "lots", "domaines:subscriptions": "yes" });
    expect(msg).toMatch(/domaines:defaultTtl: "three hundred" is not valid: an integer from 60 to 604800/);
    expect(msg).toMatch(/domaines:maxUpdateShare: "lots" is not valid: a share between 0 and 1/);
    expect(msg).toMatch(/domaines:subscriptions: "yes" is not valid: true or false/);
    expect(msg).not.toMatch(/missing/);
    expect(problems({ ...dep48, "domaines:maxUpdateShare": "1.5" })).toMatch(/domaines:maxUpdateShare: "1.5" is not valid: a share between 0 and 1/);
  });

  test("a bad zone or shard is named; the mail technical domain is an optional assertion", () => {
    expect(problems({ ...dep48, "domaines:zone": "not a zone" })).toMatch(/domaines:zone: "not a zone" is not valid: a domain name such as collectivite\.fr/);
    expect(problems({ ...dep48, "domaines:shard": "480" }, "test")).toMatch(/domaines:shard: .*"platform" or a département code/);
    expect(parseStackConfig({ "domaines:zone": "collectivite.fr", "domaines:shard": "48" }, "dep-48", plain).mailTechnicalDomain).toBeUndefined();
  });

  test("the shard must match the stack's conventional name", () => {
    expect(problems({ ...dep48, "domaines:shard": "2A" })).toMatch(/domaines:shard: is "2A" but stack "dep-48" is for "48"/);
    expect(problems({ ...dep48 }, "platform")).toMatch(/stack "platform" is for "platform"/);
    expect(parseStackConfig(dep48, "trial-lozere", plain).shard).toBe("48");
  });

  test("OVH secrets in plain text are refused; as secrets they pass", () => {
    const raw = { ...dep48, "ovh:applicationSecret": "s3cr3t", "ovh:clientSecret": "c1", "ovh:applicationKey": "public" };
    const msg = problems(raw);
    expect(msg).toMatch(/ovh:applicationSecret: stored in plain text/);
    expect(msg).toMatch(/ovh:clientSecret: .*OVH_CLIENT_SECRET/);
    expect(msg).not.toMatch(/applicationKey/);
    expect(msg).not.toContain("s3cr3t");
    expect(parseStackConfig(raw, "dep-48", (k) => k.endsWith("Secret")).zone).toBe("collectivite.fr");
  });

  test("stack names and shards", () => {
    expect(shardFromStackName("dep-2b")).toBe("2B");
    expect(shardFromStackName("dep-974")).toBe("974");
    expect(shardFromStackName("platform")).toBe("platform");
    expect(shardFromStackName("staging")).toBeNull();
    expect(stackNameForShard("2A")).toBe("dep-2a");
  });

  test("the deployment configuration is the truth: a stack assertion that disagrees is refused, naming both values", () => {
    const base = loadConfig();
    const agree = parseStackConfig({ ...dep48, "domaines:mailTechnicalDomain": "mail.suite-territoriale.anct.gouv.fr", "domaines:defaultTtl": "3600" }, "dep-48", plain);
    expect(() => assertStackMatchesDeployment(agree, base)).not.toThrow();
    expect(() => assertStackMatchesDeployment(parseStackConfig({ "domaines:zone": "collectivite.fr", "domaines:shard": "48" }, "dep-48", plain), base)).not.toThrow();
    const c = parseStackConfig({ ...dep48, "domaines:zone": "test.collectivite.fr", "domaines:defaultTtl": "600" }, "dep-48", plain);
    let msg = "";
    try {
      assertStackMatchesDeployment(c, base);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/^the stack configuration disagrees with the deployment configuration, which plan, export and verify also read/);
    expect(msg).toContain("domaines:zone is test.collectivite.fr but data/config.json says zone collectivite.fr");
    expect(msg).toContain('domaines:mailTechnicalDomain is messages.example.net but data/config.json says dns.variables.mailDomain "mail.suite-territoriale.anct.gouv.fr"');
    expect(msg).toContain("domaines:defaultTtl is 600 but data/config.json says dns.ttl 3600");
    const { mailDomain: _m, ...others } = base.dns!.variables;
    expect(() => assertStackMatchesDeployment(agree, { ...base, dns: { ...base.dns!, variables: others } })).toThrow(/dns\.variables\.mailDomain \(absent\)/);
    expect(() => assertStackMatchesDeployment(agree, { zone: "collectivite.fr" })).toThrow(/no "dns" section/);
    expect(base.dns!.ttl).toBe(3600);
  });

  test("the committed stack files are valid and agree with data/config.json", () => {
    for (const [file, stack] of [["Pulumi.dep-48.yaml", "dep-48"], ["Pulumi.platform.yaml", "platform"]] as const) {
      // Flat `key: value` lines, as `pulumi config set` writes them.
      const raw = Object.fromEntries([...readFileSync(file, "utf8").matchAll(/^ {2}([a-zA-Z]+:[a-zA-Z]+): "?([^"\n]*)"?$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(raw).length, file).toBeGreaterThanOrEqual(6);
      const c = parseStackConfig(raw, stack, plain);
      expect(() => assertStackMatchesDeployment(c, loadConfig()), file).not.toThrow();
    }
  });
});

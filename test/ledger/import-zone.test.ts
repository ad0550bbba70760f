import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkZone, startKnot, type KnotServer } from "../support/knot.js";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { cli, ledgerLines, snapshotFiles, tempLedger } from "./support/ledger-dir.js";

/**
 * The proof, the way an operator meets the live zone: `import --zone` on an export
 * holding a delegated legacy sub-zone (uilly, Œuilly as the people plugin spelled it), a
 * legacy label with its records in the parent (bonnil), an unknown name (ancien-site) and a
 * homonym group's reserved slug (saint-denis); then `--apply`, `check`, `export --format
 * zone` through both zone checkers, and a real knotd serving the export.
 */

const run = promisify(execFile);
const ZONE_FILE = join(import.meta.dirname, "../fixtures/live-collectivite.fr.zone");
const MAPPING = join(import.meta.dirname, "../fixtures/live-collectivite.fr.mapping.csv");
const dir = tempLedger("domaines-import-zone-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Item {
  label: string;
  status: string;
  matchedBy: string | null;
  commune: { key: string; insee: string } | null;
  delegation: { nameservers: string[] } | null;
  adopted: { name: string; type: string; value: string }[];
  sentence: string;
}
const report = (...more: string[]) => {
  const r = cli(dir, ["import", "--zone", ZONE_FILE, "--json", ...more]);
  return { code: r.code, stderr: r.stderr, items: Object.fromEntries((JSON.parse(r.stdout) as { items: Item[] }).items.map((i) => [i.label, i])) as Record<string, Item> };
};

describe("import --zone: a report first, then all or nothing", () => {
  it("without a mapping: the unknown name is to review, uilly ambiguous, the homonym slug a conflict; nothing written", () => {
    const before = snapshotFiles(dir);
    const r = report();
    expect(r.code).toBe(1);
    expect(Object.keys(r.items).sort()).toEqual(["@", "ancien-site", "bonnil", "saint-denis", "uilly"]);
    expect(r.items["ancien-site"]).toMatchObject({ status: "review", commune: null });
    expect(r.items["ancien-site"]!.sentence).toContain("unknown name");
    // Two current communes are named Œuilly (02 and 51): the plugin's spelling alone cannot say which.
    expect(r.items.uilly!.status).toBe("review");
    expect(r.items.uilly!.sentence).toContain("delegated in the live zone to ns0.dom.scw.cloud, ns1.dom.scw.cloud");
    // The plugin gave saint-denis to one of four Saint-Denis: which one, only a person can say.
    expect(r.items["saint-denis"]!.status).toBe("review");
    expect(r.items["saint-denis"]!.sentence).toMatch(/collides with the reserved slug of a homonym group \(4 communes/);
    expect(r.items.bonnil).toMatchObject({ status: "new", matchedBy: "people-plugin", commune: { insee: "14087" } });
    expect(r.items["@"]!.status).toBe("zone-level");
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("with the mapping but without --allow-contested-labels: still refused as a whole", () => {
    const before = snapshotFiles(dir);
    const r = report("--mapping", MAPPING, "--apply");
    expect(r.code).toBe(1);
    expect(r.items["saint-denis"]!.status).toBe("conflict");
    expect(r.items.uilly).toMatchObject({ status: "new", matchedBy: "mapping", commune: { insee: "02565" }, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"] } });
    expect(r.items["ancien-site"]!.status).toBe("ignored");
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("--apply writes the delegation and the adopted records in one go", () => {
    const r = report("--mapping", MAPPING, "--allow-contested-labels", "--apply");
    expect(r.code, r.stderr).toBe(0);
    const lines = Object.fromEntries(ledgerLines(dir).map((l) => [l.label as string, l]));
    expect(Object.keys(lines).sort()).toEqual(["bonnil", "saint-denis", "uilly"]);
    expect(lines.uilly).toMatchObject({ state: "allocated", key: "210205423", legacy: true, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ttl: 3600 } });
    expect(lines.uilly!.adopted).toBeUndefined();
    expect((lines.bonnil!.adopted as { name: string; type: string }[]).map((a) => `${a.name}|${a.type}`).sort()).toEqual(["dimail._domainkey|TXT", "imap|CNAME", "smtp|CNAME", "webmail|CNAME", "|MX", "|TXT"]);
    // Imported again: every name is already in the ledger, nothing new to write.
    const again = report("--mapping", MAPPING, "--allow-contested-labels");
    expect(again.code).toBe(0);
    expect(again.items.uilly!.status).toBe("existing");
  });
});

describe("check of a delegated label", () => {
  it('says "delegated to ns0.dom.scw.cloud, …", in words and in --json', () => {
    const text = cli(dir, ["check", "uilly"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Ledger: uilly.collectivite.fr is allocated to Œuilly (02, INSEE 02565) since ");
    expect(text.stdout).toMatch(/\(legacy label\); delegated to ns0\.dom\.scw\.cloud, ns1\.dom\.scw\.cloud\.\n/);
    expect(text.stdout).toContain("uilly.collectivite.fr is delegated to ns0.dom.scw.cloud, ns1.dom.scw.cloud: its records (mail, web) live in that zone");
    const json = JSON.parse(cli(dir, ["check", "uilly", "--json"]).stdout);
    expect(json.status).toMatchObject({ state: "allocated", delegatedTo: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"] });
    expect(json.story.find((f: { kind: string }) => f.kind === "delegated")).toMatchObject({ fqdn: "uilly.collectivite.fr", nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], signed: false });
    // A label whose records the parent holds says nothing of a delegation.
    const bonnil = JSON.parse(cli(dir, ["check", "bonnil", "--json"]).stdout);
    expect(bonnil.status.delegatedTo).toBeNull();
    expect(bonnil.story.some((f: { kind: string }) => f.kind === "delegated")).toBe(false);
    expect(bonnil.sentence).not.toContain("delegated");
  });
});

describe("plan after the import", () => {
  it("lists uilly as delegated and plans only its NS set there; SPF first for the communes whose SPF is not published", () => {
    const r = cli(dir, ["plan", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.delegated).toEqual([{ label: "uilly", nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ds: 0 }]);
    const creates = (label: string) => plan.changes.find((c: { label: string }) => c.label === label).creates.map((x: { name: string; type: string; value: string }) => `${x.name} ${x.type} ${x.value}`);
    expect(creates("uilly")).toEqual(["uilly NS ns0.dom.scw.cloud.", "uilly NS ns1.dom.scw.cloud."]);
    expect(creates("bonnil")[0]).toBe("bonnil TXT v=spf1 include:_spf.ox.numerique.gouv.fr -all");
    expect(plan.spfNotPublished.map((s: { label: string }) => s.label)).toEqual(["bonnil", "saint-denis"]);
    const text = cli(dir, ["plan"]).stdout;
    expect(text).toContain("Delegated: uilly to ns0.dom.scw.cloud, ns1.dom.scw.cloud; the parent holds only its NS set");
  });
});

describe("the exported zone after the import", () => {
  let zoneFile: string;
  let text: string;
  let knot: KnotServer;
  beforeAll(async () => {
    zoneFile = join(dir, "collectivite.fr.zone");
    const r = cli(dir, ["export", "--format", "zone", "--out", zoneFile]);
    expect(r.code, r.stderr).toBe(0);
    text = readFileSync(zoneFile, "utf8");
    knot = await startKnot([{ zone: "collectivite.fr", text }]);
  });
  afterAll(async () => knot?.stop());

  const records = () => text.split("\n").filter((l) => l !== "" && !/^[;$]/.test(l)).map((l) => l.split("\t"));

  it("holds only the NS set at the delegated name and nothing below it; the adopted records as found", () => {
    const atOrBelow = records().filter(([name]) => name === "uilly" || name!.endsWith(".uilly"));
    expect(atOrBelow.map((f) => f.slice(1).join(" "))).toEqual(["3600 IN NS ns0.dom.scw.cloud.", "3600 IN NS ns1.dom.scw.cloud."]);
    const bonnil = records().filter(([name]) => name === "bonnil" || name!.endsWith(".bonnil"));
    expect(bonnil.map(([n, ttl, , type]) => `${n} ${ttl} ${type}`)).toEqual(["bonnil 600 MX", "bonnil 600 TXT", "dimail._domainkey.bonnil 3600 TXT", "imap.bonnil 3600 CNAME", "smtp.bonnil 3600 CNAME", "webmail.bonnil 3600 CNAME"]);
    // The unknown name left alone is not the model's: nothing of its live A record.
    expect(records().some(([name]) => name === "ancien-site")).toBe(false);
  });

  it("passes named-checkzone -M fail and kzonecheck", async () => {
    const named = await checkZone("named-checkzone", "collectivite.fr", zoneFile);
    expect(named.code, named.output).toBe(0);
    const knotCheck = await checkZone("kzonecheck", "collectivite.fr", zoneFile);
    expect(knotCheck.code, knotCheck.output).toBe(0);
  });

  const dig = async (name: string, type: string) => {
    const { stdout } = await run("kdig", [`@127.0.0.1`, "-p", String(knot.port), "+norec", "+noedns", "+nostats", "+noquestion", name, type]);
    const flags = /;; Flags: ([^;]*);/.exec(stdout)?.[1]?.trim().split(/\s+/) ?? [];
    const rcode = /status: (\w+)/.exec(stdout)?.[1];
    const section = (title: string) => {
      const m = new RegExp(`;; ${title} SECTION:\\n((?:[^\\n]+\\n?)*)`).exec(stdout);
      return (m?.[1] ?? "").split("\n").filter(Boolean).map((l) => l.split(/\s+/).filter((f, i) => i !== 1).join(" "));
    };
    return { flags, rcode, answer: section("ANSWER"), authority: section("AUTHORITY"), raw: stdout };
  };

  it("knotd answers a referral for uilly and below it: NS in the authority section, no AA", async () => {
    for (const [name, type] of [["uilly.collectivite.fr", "MX"], ["webmail.uilly.collectivite.fr", "CNAME"], ["uilly.collectivite.fr", "A"]] as const) {
      const r = await dig(name, type);
      expect(r.rcode, r.raw).toBe("NOERROR");
      expect(r.flags, r.raw).not.toContain("aa");
      expect(r.answer, r.raw).toEqual([]);
      expect(r.authority.sort(), r.raw).toEqual(["uilly.collectivite.fr. IN NS ns0.dom.scw.cloud.", "uilly.collectivite.fr. IN NS ns1.dom.scw.cloud."]);
    }
  });

  it("answers authoritatively elsewhere: the adopted MX of bonnil, NXDOMAIN below it, the no-mail set on an unknown name", async () => {
    const mx = await dig("bonnil.collectivite.fr", "MX");
    expect(mx.flags).toContain("aa");
    expect(mx.answer).toEqual(["bonnil.collectivite.fr. IN MX 10 mx.ox.numerique.gouv.fr."]);
    const below = await dig("inconnu.bonnil.collectivite.fr", "MX");
    expect(below.rcode).toBe("NXDOMAIN");
    const unknown = await dig("ancien-site.collectivite.fr", "MX");
    expect(unknown.flags).toContain("aa");
    expect(unknown.answer).toEqual(["ancien-site.collectivite.fr. IN MX 0 ."]);
  });
});

describe("verify of the delegated uilly follows the delegation to a second knotd serving the child zone", () => {
  const CHILD = [
    "$ORIGIN uilly.collectivite.fr.",
    "$TTL 3600",
    "@ IN SOA ns0.dom.scw.cloud. hostmaster.scaleway.com. 2026010101 3600 600 604800 300",
    "@ IN NS ns0.dom.scw.cloud.",
    "@ IN NS ns1.dom.scw.cloud.",
    "@ IN MX 10 mx.ox.numerique.gouv.fr.",
    '@ IN TXT "v=spf1 include:_spf.ox.numerique.gouv.fr -all"',
    '_dmarc IN TXT "v=DMARC1; p=none"',
    "webmail IN CNAME webmail.ox.numerique.gouv.fr.",
    "",
  ].join("\n");
  let parent: KnotServer;
  let child: KnotServer;
  const exportZone = () => {
    const r = cli(dir, ["export", "--format", "zone"]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  beforeAll(async () => {
    parent = await startKnot([{ zone: "collectivite.fr", text: exportZone() }]);
    child = await startKnot([{ zone: "uilly.collectivite.fr", text: CHILD }]);
  });
  afterAll(async () => {
    await parent?.stop();
    await child?.stop();
  });
  interface Check {
    fqdn: string;
    type: string;
    status: string;
    side?: string;
    found: string[];
    expected: string | null;
    detail: string;
  }
  const verify = (...more: string[]) => {
    const r = cli(dir, ["verify", "uilly.collectivite.fr", "--resolver", parent.address, "--child-resolver", child.address, ...more]);
    return { ...r, report: more.includes("--json") ? (JSON.parse(r.stdout) as { ok: boolean; delegation: unknown; records: Check[] }) : null };
  };
  const line = (c: Check) => `${c.side} ${c.fqdn} ${c.type} ${c.status} ${c.found.join(" | ")}`;

  it("a commune not enrolled: the parent refers to the ledger's NS set, the child's mail records are reported as observed", () => {
    const r = verify("--json");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report!.delegation).toEqual({ nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], parent: parent.address, child: child.address });
    expect(r.report!.records.map(line)).toEqual([
      "parent uilly.collectivite.fr NS correct ns0.dom.scw.cloud. | ns1.dom.scw.cloud.",
      "parent uilly.collectivite.fr NS correct ns0.dom.scw.cloud. | ns1.dom.scw.cloud.",
      "child uilly.collectivite.fr MX observed 10 mx.ox.numerique.gouv.fr.",
      "child uilly.collectivite.fr TXT observed v=spf1 include:_spf.ox.numerique.gouv.fr -all",
      "child _dmarc.uilly.collectivite.fr TXT observed v=DMARC1; p=none",
    ]);
    const text = verify();
    expect(text.stdout).toMatch(/^uilly\.collectivite\.fr \(allocated, delegated to ns0\.dom\.scw\.cloud, ns1\.dom\.scw\.cloud\): parent asked to 127\.0\.0\.1:\d+, child zone to 127\.0\.0\.1:\d+/);
    expect(text.stdout).toContain("seen observed   [child] uilly.collectivite.fr MX: 10 mx.ox.numerique.gouv.fr.");
  });

  it("once enrolled in Messages: the child zone's OX records are wrong, and the report says it is the child's side", () => {
    const on = cli(dir, ["onboard", "uilly", "--services", "messages", "--direct"]);
    expect(on.code, on.stderr).toBe(0);
    const r = verify("--json");
    expect(r.code).toBe(1);
    const mx = r.report!.records.filter((c) => c.type === "MX");
    expect(mx.map((c) => `${c.side} ${c.status} ${c.expected}`)).toEqual(["child incorrect 10 mx1.mail.suite-territoriale.anct.gouv.fr.", "child incorrect 20 mx2.mail.suite-territoriale.anct.gouv.fr."]);
    expect(mx[0]!.found).toEqual(["10 mx.ox.numerique.gouv.fr."]);
    expect(mx[0]!.detail).toMatch(new RegExp(`the child zone uilly\\.collectivite\\.fr \\(asked at 127\\.0\\.0\\.1:${child.port}\\) is wrong: fix it where it is hosted \\(ns0\\.dom\\.scw\\.cloud, ns1\\.dom\\.scw\\.cloud\\)`));
    expect(r.report!.records.filter((c) => c.side === "parent").every((c) => c.status === "correct")).toBe(true);
  });

  it("a parent that does not delegate: the parent's side is wrong", async () => {
    // The parent zone as it was before the import: nothing at uilly (the wildcard answers there).
    const text = exportZone().replace(/^uilly\t.*\n/gm, "").replace(/(\bSOA\s+\S+\s+\S+\s+)(\d+)/, (_, p: string, n: string) => `${p}${Number(n) + 1}`);
    await parent.replaceZone("collectivite.fr", text);
    const r = verify("--json");
    expect(r.code).toBe(1);
    const ns = r.report!.records.filter((c) => c.type === "NS");
    expect(ns.map((c) => `${c.side} ${c.status}`)).toEqual(["parent missing", "parent missing"]);
    expect(ns[0]!.detail).toMatch(/the parent zone collectivite\.fr \(asked at 127\.0\.0\.1:\d+\) is wrong: it answers authoritatively with no NS there \(no zone cut\); `pulumi up` on the commune's stack publishes the ledger's NS set/);
  });
});

describe("undelegate: planned and guarded like a deletion", () => {
  const undelegate = (...args: string[]) => cli(dir, ["undelegate", ...args]);

  it("reports what goes and what comes, and writes nothing without --apply", () => {
    const before = snapshotFiles(dir);
    const r = undelegate("uilly.collectivite.fr", "--json");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ label: "uilly", nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], endsMail: false, applied: false, tx: null });
    expect(out.removes.map((x: { type: string; value: string }) => `${x.type} ${x.value}`)).toEqual(["NS ns0.dom.scw.cloud.", "NS ns1.dom.scw.cloud."]);
    // Enrolled in Messages (above): its mail records come into the parent.
    expect(out.adds.filter((x: { type: string }) => x.type === "MX").map((x: { value: string }) => x.value)).toEqual(["10 mx1.mail.suite-territoriale.anct.gouv.fr.", "20 mx2.mail.suite-territoriale.anct.gouv.fr."]);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it("refuses a label that is not delegated, and one whose mail would end without --accept-no-mail", () => {
    const bonnil = cli(dir, ["undelegate", "bonnil", "--json"]);
    expect(bonnil.code).toBe(2);
    expect(JSON.parse(bonnil.stdout).error).toMatchObject({ code: "conflict" });
    expect(cli(dir, ["offboard", "uilly"]).code).toBe(0);
    const before = snapshotFiles(dir);
    const r = undelegate("uilly", "--apply", "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe("refused");
    expect(JSON.parse(r.stdout).error.message).toMatch(/refusing to undelegate uilly\.collectivite\.fr: its mail would end .*--accept-no-mail/);
    expect(snapshotFiles(dir)).toEqual(before);
    expect(cli(dir, ["onboard", "uilly", "--services", "messages", "--direct"]).code).toBe(0);
  });

  it("--apply drops the delegation and records when; check and export follow", async () => {
    const r = undelegate("uilly", "--apply", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ applied: true, tx: expect.any(String) });
    const line = ledgerLines(dir).find((l) => l.label === "uilly")!;
    expect(line.delegation).toBeUndefined();
    expect(line.undelegatedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(JSON.parse(cli(dir, ["check", "uilly", "--json"]).stdout).status.delegatedTo).toBeNull();
    const zoneFile = join(dir, "after-undelegate.zone");
    expect(cli(dir, ["export", "--format", "zone", "--out", zoneFile]).code).toBe(0);
    const served = readFileSync(zoneFile, "utf8").split("\n").filter((l) => l.startsWith("uilly\t"));
    expect(served.some((l) => l.includes("\tNS\t"))).toBe(false);
    expect(served.filter((l) => l.includes("\tMX\t"))).toHaveLength(2);
    expect((await checkZone("named-checkzone", "collectivite.fr", zoneFile)).code).toBe(0);
    expect(undelegate("uilly").code).toBe(2);
  });
});

describe.each(ledgerBackends())("import --zone --apply on the $name store", (backend) => {
  let target: LedgerTarget;
  beforeAll(async () => {
    target = await backend.create();
  });
  afterAll(() => target.remove());

  it("keeps the delegation and the adopted records through the store; the exported zone is the same bytes", () => {
    const r = cli(target.location, ["import", "--zone", ZONE_FILE, "--mapping", MAPPING, "--allow-contested-labels", "--apply", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = Object.fromEntries(ledgerLines(target.location).map((l) => [l.label as string, l]));
    expect(lines.uilly!.delegation).toEqual({ nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ttl: 3600, since: expect.any(String) });
    expect((lines.bonnil!.adopted as unknown[]).length).toBe(6);
    expect(cli(target.location, ["validate"]).code).toBe(0);
    // The zone of the file-store ledger above and this one differ only by the dates of the import (the serial).
    const here = cli(target.location, ["export", "--format", "zone", "--serial", "1"]).stdout;
    const fresh = tempLedger("domaines-import-zone-ref-");
    try {
      expect(cli(fresh, ["import", "--zone", ZONE_FILE, "--mapping", MAPPING, "--allow-contested-labels", "--apply"]).code).toBe(0);
      expect(here).toBe(cli(fresh, ["export", "--format", "zone", "--serial", "1"]).stdout);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

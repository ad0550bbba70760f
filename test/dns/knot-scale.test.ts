import { Resolver } from "node:dns/promises";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeLedger } from "../../src/ledger/codec.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import type { DkimStore } from "../../src/records/dkim.js";
import { desiredZone, renderZone } from "../../src/records/index.js";
import { runCliAsync } from "../support/cli.js";
import { startKnot } from "../support/knot.js";
import { config, departementLedger, dkimFor, syntheticLedger } from "../records/fixtures.js";

/**
 * The two large zones of the proof served by knotd: all of Lozère with its real homonyms,
 * and 10,000 synthetic enrolled communes. A commune of each is read back and verified.
 */

const dir = mkdtempSync(join(tmpdir(), "domaines-knot-scale-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serveAndVerify(name: string, entries: LedgerEntry[], dkim: DkimStore, check: (resolver: Resolver, verify: (fqdn: string) => ReturnType<typeof runCliAsync>) => Promise<void>): Promise<void> {
  const ledger = join(dir, name, "ledger");
  mkdirSync(ledger, { recursive: true });
  writeFileSync(join(ledger, "ledger.jsonl"), serializeLedger(entries));
  const dkimFile = join(dir, name, "dkim.json");
  writeFileSync(dkimFile, JSON.stringify(dkim));
  const knot = await startKnot([{ zone: "collectivite.fr", text: renderZone(desiredZone(entries, config(), dkim)) }]);
  try {
    const resolver = new Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([knot.address]);
    await check(resolver, (fqdn) => runCliAsync(["verify", fqdn, "--json", "--resolver", knot.address, "--ledger", ledger, "--dkim", dkimFile]));
  } finally {
    await knot.stop();
  }
}

describe("knotd serves the large zones", () => {
  it("serves all of Lozère: an enrolled commune verifies correct, a homonym group's bare slug refuses mail", async () => {
    const { entries, fqdns } = departementLedger("48");
    const bare = entries.find((e) => e.state === "reserved")!;
    const suffixed = entries.find((e) => e.state === "allocated" && e.label.startsWith(`${bare.label}-`))!;
    expect(suffixed).toBeDefined();
    await serveAndVerify("lozere", entries, dkimFor(fqdns), async (resolver, verify) => {
      expect(await resolver.resolveMx(`${bare.label}.collectivite.fr`)).toEqual([{ priority: 0, exchange: "" }]);
      expect((await resolver.resolveTxt(`${bare.label}.collectivite.fr`)).map((c) => c.join(""))).toEqual(["v=spf1 -all"]);
      const mx = await resolver.resolveMx(`${suffixed.label}.collectivite.fr`);
      expect(mx.map((m) => m.priority).sort()).toEqual([10, 20]);
      for (const fqdn of [`${suffixed.label}.collectivite.fr`, "mende.collectivite.fr", `${bare.label}.collectivite.fr`]) {
        const r = await verify(fqdn);
        expect(r.code, `${fqdn}: ${r.stdout}${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).records.every((x: { status: string }) => x.status === "correct")).toBe(true);
      }
    });
  });

  it("serves 10,000 synthetic enrolled communes: MX, DKIM and DMARC of one of them, and verify says correct", async () => {
    const { entries, dkim } = syntheticLedger(10_000);
    await serveAndVerify("synthetic", entries, dkim, async (resolver, verify) => {
      const fqdn = "commune-07777.collectivite.fr";
      expect((await resolver.resolveMx(fqdn)).length).toBe(2);
      expect((await resolver.resolveTxt(`stmessages._domainkey.${fqdn}`))[0]!.join("")).toBe(dkim[fqdn]!.value);
      expect((await resolver.resolveTxt(`_dmarc.${fqdn}`))[0]!.join("")).toMatch(/^v=DMARC1; p=reject;/);
      const r = await verify(fqdn);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.records).toHaveLength(9);
      expect(report.ok).toBe(true);
    });
  });
});

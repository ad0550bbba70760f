import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainesConfig } from "../../src/config/schema.js";
import { allRecords, desiredZone, renderZone } from "../../src/records/index.js";
import { expectationFor } from "../../src/operations/verify.js";
import { startKnot, type KnotServer } from "../support/knot.js";
import { config, smallDkim, smallLedger } from "../records/fixtures.js";

/**
 * `dns.allocatedWithoutService`: a commune that holds its label but uses no service gets
 * its own null MX and `v=spf1 -all` ("explicit"), or nothing of its own, the zone's
 * wildcard answering for it ("wildcard": 2 records and 6 OVH API calls less per commune).
 * The same ledger rendered both ways, served by two real knotd: every answer a mail
 * server or a spoofer can ask of the commune's name is the same, and the wildcard
 * synthesises nothing under a name that exists.
 */
const ZONE = "collectivite.fr";
let explicitServer: KnotServer;
let wildcardServer: KnotServer;
const resolvers: Record<"explicit" | "wildcard", Resolver> = { explicit: new Resolver({ timeout: 1000, tries: 2 }), wildcard: new Resolver({ timeout: 1000, tries: 2 }) };

function withCoverage(coverage: "explicit" | "wildcard"): DomainesConfig {
  const c = config();
  return { ...c, dns: { ...c.dns!, allocatedWithoutService: coverage } };
}

beforeAll(async () => {
  explicitServer = await startKnot([{ zone: ZONE, text: renderZone(desiredZone(smallLedger(), withCoverage("explicit"), smallDkim())) }]);
  wildcardServer = await startKnot([{ zone: ZONE, text: renderZone(desiredZone(smallLedger(), withCoverage("wildcard"), smallDkim())) }]);
  resolvers.explicit.setServers([explicitServer.address]);
  resolvers.wildcard.setServers([wildcardServer.address]);
});
afterAll(async () => {
  await explicitServer?.stop();
  await wildcardServer?.stop();
});

type Kind = "MX" | "TXT" | "A" | "AAAA" | "CNAME";
async function answer(r: Resolver, name: string, type: Kind): Promise<string> {
  try {
    const values =
      type === "MX" ? (await r.resolveMx(name)).map((m) => `${m.priority} ${m.exchange || "."}`) : type === "TXT" ? (await r.resolveTxt(name)).map((c) => c.join("")) : type === "A" ? await r.resolve4(name) : type === "AAAA" ? await r.resolve6(name) : await r.resolveCname(name);
    return `ok ${values.sort().join(" | ")}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? "error";
  }
}

describe("wildcard coverage of allocated communes without service", () => {
  it("publishes nothing for such a commune, and the same records as explicit for every other label", () => {
    const explicit = desiredZone(smallLedger(), withCoverage("explicit"), smallDkim());
    const wildcard = desiredZone(smallLedger(), withCoverage("wildcard"), smallDkim());
    const langogne = (z: typeof explicit) => z.owners.find((o) => o.label === "langogne")!.records;
    expect(langogne(explicit).map((r) => `${r.type} ${r.value}`)).toEqual(["MX 0 .", "TXT v=spf1 -all"]);
    expect(langogne(wildcard)).toEqual([]);
    expect(allRecords(explicit).length - allRecords(wildcard).length).toBe(2);
    const others = (z: typeof explicit) => allRecords(z).filter((r) => r.name !== "langogne");
    expect(others(wildcard)).toEqual(others(explicit));
  });

  it("answers for the commune's name exactly what the explicit pair answers: MX 0 . and v=spf1 -all, no address", async () => {
    for (const type of ["MX", "TXT", "A", "AAAA"] as const) {
      const e = await answer(resolvers.explicit, "langogne.collectivite.fr", type);
      expect(await answer(resolvers.wildcard, "langogne.collectivite.fr", type), type).toBe(e);
    }
    expect(await answer(resolvers.wildcard, "langogne.collectivite.fr", "MX")).toBe("ok 0 .");
    expect(await answer(resolvers.wildcard, "langogne.collectivite.fr", "TXT")).toBe("ok v=spf1 -all");
  });

  it("synthesises nothing under names that exist, and leaves every other label's answers as they were", async () => {
    const cases: [string, Kind][] = [
      ["mende.collectivite.fr", "MX"],
      ["mende.collectivite.fr", "TXT"],
      ["mende.collectivite.fr", "A"],
      ["www.mende.collectivite.fr", "CNAME"],
      ["inexistant.mende.collectivite.fr", "MX"],
      ["inexistant.mende.collectivite.fr", "TXT"],
      ["_dmarc.mende.collectivite.fr", "TXT"],
      ["saint-denis.collectivite.fr", "MX"],
      ["ancienne.collectivite.fr", "TXT"],
      ["personne-ici.collectivite.fr", "MX"],
      ["personne-ici.collectivite.fr", "TXT"],
    ];
    for (const [name, type] of cases) expect(await answer(resolvers.wildcard, name, type), `${name} ${type}`).toBe(await answer(resolvers.explicit, name, type));
    // Under an existing name the wildcard of the zone does not apply (its closest encloser is the commune's name).
    expect(await answer(resolvers.wildcard, "inexistant.mende.collectivite.fr", "MX")).toBe("ENOTFOUND");
  });

  it("differs only below the commune's own name, where both refuse mail (NXDOMAIN, or the wildcard's no-mail pair)", async () => {
    expect(await answer(resolvers.explicit, "www.langogne.collectivite.fr", "MX")).toBe("ENOTFOUND");
    expect(await answer(resolvers.wildcard, "www.langogne.collectivite.fr", "MX")).toBe("ok 0 .");
    // _dmarc of such a commune: no DMARC record at that name either way; receivers use the zone's sp=reject.
    expect(await answer(resolvers.explicit, "_dmarc.langogne.collectivite.fr", "TXT")).toBe("ENOTFOUND");
    expect(await answer(resolvers.wildcard, "_dmarc.langogne.collectivite.fr", "TXT")).toBe("ok v=spf1 -all");
    expect(await answer(resolvers.wildcard, "_dmarc.collectivite.fr", "TXT")).toMatch(/^ok v=DMARC1; p=reject; sp=reject/);
  });

  it("verify expects the wildcard's answer for such a commune", () => {
    const wildcard = desiredZone(smallLedger(), withCoverage("wildcard"), smallDkim());
    const { input, state } = expectationFor(wildcard, "langogne");
    expect(state).toBe("allocated");
    expect(input.expected.map((r) => `${r.name} ${r.type} ${r.value}`)).toEqual(["langogne MX 0 .", "langogne TXT v=spf1 -all"]);
  });

  it("is refused without the zone's wildcard, naming both settings", async () => {
    const { dnsConfigSchema } = await import("../../src/records/catalog-schema.js");
    const c = config();
    const parsed = dnsConfigSchema.safeParse({ ...c.dns, unallocated: "nxdomain", allocatedWithoutService: "wildcard" });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([`allocatedWithoutService: wildcard coverage needs the zone's wildcard: set "unallocated": "wildcard" too, or use "explicit"`]);
  });
});

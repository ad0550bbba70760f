import { generateKeyPairSync } from "node:crypto";
import { loadCommunes } from "../../src/communes/load.js";
import { loadConfig } from "../../src/config/load.js";
import type { DomainesConfig } from "../../src/config/schema.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";
import { computeLabels } from "../../src/naming/labels.js";
import type { DkimStore } from "../../src/records/dkim.js";

/** Ledger entries, DKIM keys and configuration for the records tests, built in memory. */

export const NOW = "2026-03-01T10:00:00.000Z";

export function entry(fields: Partial<LedgerEntry> & Pick<LedgerEntry, "label" | "state">): LedgerEntry {
  return {
    key: null,
    inseeHistory: [],
    nameHistory: [],
    allocatedAt: NOW,
    updatedAt: NOW,
    legacy: false,
    grandfathered: false,
    services: {},
    ...fields,
  } as LedgerEntry;
}

export function enrolment(...services: string[]): LedgerEntry["services"] {
  return Object.fromEntries(services.map((s) => [s, { enrolledAt: NOW, quotas: {} }]));
}

let cachedKey: string | undefined;
/** One key per worker thread, kept across re-imports of this module (mutation testing re-runs the files per mutant). */
function sharedTestKey(make: () => string): string {
  const g = globalThis as { __domainesTestRsaKey?: string };
  return (g.__domainesTestRsaKey ??= make());
}
/** A real RSA-2048 public key in base64 (392 characters: more than one 255-octet string). */
export function dkimPublicKey(): string {
  cachedKey ??= sharedTestKey(() => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }).toString("base64"));
  return cachedKey;
}

export function dkimFor(fqdns: readonly string[], selector = "stmessages"): DkimStore {
  return Object.fromEntries(fqdns.map((f) => [f, { selector, value: `v=DKIM1; k=rsa; p=${dkimPublicKey()}`, fetchedAt: NOW }]));
}

export function config(): DomainesConfig {
  return loadConfig();
}

/**
 * A small ledger with every state: an enrolled commune (Messages + Fichiers), one with
 * Fichiers only, an alias of the first, a reserved homonym slug, a rename reservation,
 * a tombstone, and an enrolled commune whose DKIM is pending.
 */
export function smallLedger(): LedgerEntry[] {
  return [
    entry({ label: "mende", state: "allocated", key: "214800957", name: "Mende", departement: "48", services: enrolment("messages", "fichiers") }),
    entry({ label: "florac-trois-rivieres", state: "allocated", key: "200068997", name: "Florac Trois Rivières", departement: "48", services: enrolment("fichiers") }),
    entry({ label: "marvejols", state: "allocated", key: "214800924", name: "Marvejols", departement: "48", services: enrolment("messages") }),
    entry({ label: "langogne", state: "allocated", key: "214800809", name: "Langogne", departement: "48" }),
    entry({ label: "florac", state: "alias", key: "214800619", aliasOf: "200068997", name: "Florac", departement: "48" }),
    entry({ label: "chirac", state: "alias", key: "214800502", aliasOf: "214800957", name: "Chirac", departement: "48" }),
    entry({ label: "saint-denis", state: "reserved", key: null, reservedReason: "homonym-group" }),
    entry({ label: "mende-nouvelle", state: "reserved", key: "214800957", reservedReason: "rename", departement: "48" }),
    entry({ label: "ancienne", state: "tombstone", key: "214800999", name: "Ancienne", departement: "48", tombstonedAt: NOW }),
  ];
}

export function smallDkim(): DkimStore {
  return dkimFor(["mende.collectivite.fr"]);
}

/** Every current commune of a département, allocated as the naming rules say and enrolled in Messages + Fichiers, with the homonym slugs reserved. */
export function departementLedger(dep: string): { entries: LedgerEntry[]; fqdns: string[] } {
  const { communes } = loadCommunes();
  const labels = computeLabels(communes, { reserved: loadReservedLabels() });
  const entries: LedgerEntry[] = [];
  const bare = new Set<string>();
  for (const c of communes) {
    if (c.departement !== dep) continue;
    const l = labels.get(c.key)!;
    if (!l.label) continue;
    entries.push(entry({ label: l.label, state: "allocated", key: c.key, name: c.name, departement: c.departement, services: enrolment("messages", "fichiers") }));
    if (l.homonyms.length > 0) bare.add(l.slug);
  }
  for (const slug of bare) entries.push(entry({ label: slug, state: "reserved", key: null, reservedReason: "homonym-group" }));
  return { entries, fqdns: entries.filter((e) => e.state === "allocated").map((e) => `${e.label}.collectivite.fr`) };
}

/** n synthetic communes, all enrolled in Messages with a DKIM key, spread over départements. */
export function syntheticLedger(n: number): { entries: LedgerEntry[]; dkim: DkimStore } {
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < n; i++) {
    const dep = String(1 + (i % 95)).padStart(2, "0");
    entries.push(entry({ label: `commune-${String(i).padStart(5, "0")}`, state: "allocated", key: String(200000000 + i), name: `Commune ${i}`, departement: dep, services: enrolment("messages", "fichiers") }));
  }
  return { entries, dkim: dkimFor(entries.map((e) => `${e.label}.collectivite.fr`)) };
}

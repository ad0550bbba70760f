import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appliedSnapshotOf, parseAppliedSnapshot, readAppliedSnapshotFile, scopeOwners, type AppliedSnapshot, type SnapshotOwner, type SnapshotRecord } from "../../src/records/applied.js";
import { diffSnapshots } from "../../src/records/diff.js";
import { desiredZone } from "../../src/records/model.js";
import { config, entry } from "./fixtures.js";
import { aliasOf, commune, deletions, diff, edit, fleet, keyOf, keysFor, LATER, ownerOf, snapshot, step, tombstone, withServices } from "./lifecycle.js";

/**
 * The one diff between two applied snapshots, and the ledger transition that explains
 * each deletion: every lifecycle rule of the deletion guard, on the real record model.
 */

const MAIL = ["dkim.TXT", "dmarc.TXT", "mx1.MX", "mx2.MX", "spf.TXT", "tls-rpt.TXT"];
const WEB = ["web-a-1.A", "web-aaaa-1.AAAA", "www.CNAME"];
const NO_MAIL = ["null-mx.MX", "spf-none.TXT"];

describe("the diff", () => {
  it("on a first run, creates every record and deletes nothing", () => {
    const entries = fleet(3);
    const d = diff(null, snapshot(entries), entries);
    expect(d.firstRun).toBe(true);
    expect(d.counts).toEqual({ previous: 0, next: 27, creates: 27, updates: 0, deletes: 0, unchanged: 0 });
    expect(d.owners.map((o) => [o.label, o.status])).toEqual([["commune-0", "added"], ["commune-1", "added"], ["commune-2", "added"]]);
  });

  it("finds nothing to do when nothing changed, whatever the ledger's order", () => {
    const entries = fleet(4);
    const d = diff(snapshot(entries), snapshot([...entries].reverse()), entries);
    expect(d.firstRun).toBe(false);
    expect(d.counts).toEqual({ previous: 36, next: 36, creates: 0, updates: 0, deletes: 0, unchanged: 36 });
    expect(d.owners.every((o) => o.status === "unchanged")).toBe(true);
  });

  it("a changed value, TTL or name is an update in place, not a deletion; no ledger change explains it", () => {
    const entries = fleet(2);
    const cfg = config();
    const moved = { ...cfg, dns: { ...cfg.dns!, variables: { ...cfg.dns!.variables, mailDomain: "mail.other.example" } } };
    const d = diff(snapshot(entries), snapshot(entries, keysFor(entries), { cfg: moved }), entries, { cfg: moved });
    const c0 = ownerOf(d, "commune-0", "changed");
    expect(c0.updates.map((u) => `${u.after.purpose} ${u.before.value} → ${u.after.value}`)).toEqual([
      "mx1 10 mx1.mail.suite-territoriale.anct.gouv.fr. → 10 mx1.mail.other.example.",
      "mx2 20 mx2.mail.suite-territoriale.anct.gouv.fr. → 20 mx2.mail.other.example.",
      "spf v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all → v=spf1 include:_spf.mail.other.example -all",
    ]);
    expect(c0.updates.every((u) => u.explainedBy === null)).toBe(true);
    expect(d.counts).toMatchObject({ updates: 6, deletes: 0, creates: 0, unchanged: 12 });
    const ttl = { ...cfg, dns: { ...cfg.dns!, ttl: 600 } };
    expect(diff(snapshot(entries), snapshot(entries, keysFor(entries), { cfg: ttl }), entries, { cfg: ttl }).counts.updates).toBe(18);
  });

  it("a change of zone deletes every previous record, explained by nothing", () => {
    const entries = fleet(2);
    const cfg = config();
    const other = { ...cfg, zone: "test.collectivite.fr" };
    const d = diff(snapshot(entries), snapshot(entries, {}, { cfg: other }), entries, { cfg: other });
    expect(d.zoneChangedFrom).toBe("collectivite.fr");
    expect(d.counts.deletes).toBe(18);
    expect(d.owners.filter((o) => o.status === "removed").every((o) => o.deletes.every((x) => x.why === "the zone changed from collectivite.fr to test.collectivite.fr"))).toBe(true);
    expect(d.owners.filter((o) => o.status === "added")).toHaveLength(2);
    // Nothing is "replaced" across zones: the same relative names in another zone are other records.
    expect(d.owners.flatMap((o) => o.deletes).every((x) => x.replaced === false)).toBe(true);
    expect(d.owners.find((o) => o.status === "removed")).toMatchObject({ state: null, services: [], records: [], creates: [], updates: [], previousLabel: null });
  });
});

describe("deletions the ledger explains", () => {
  it("gaining a service: the no-mail pair gives way to the mail records, and counts as a replacement", () => {
    const before = [...fleet(3), commune(3, [])];
    const after = edit(before, "commune-3", withServices("messages", "fichiers"));
    const o = ownerOf(step(before, after), "commune-3", "changed");
    expect(deletions(o)).toEqual(NO_MAIL.map((id) => `${id} [enrolled in fichiers, messages: its mail records replace the no-mail ones]`));
    expect(o.deletes.every((x) => x.replaced)).toBe(true);
    expect(o.previousLabel).toBeNull();
    expect(o.status).toBe("changed");
    expect(o.creates.map((r) => `${r.purpose}.${r.type}`).sort()).toEqual([...MAIL, ...WEB].sort());
  });

  it("gaining Fichiers only adds the web records and deletes nothing (the no-mail pair stays)", () => {
    const before = [commune(0, [])];
    const o = ownerOf(step(before, edit(before, "commune-0", withServices("fichiers"))), "commune-0");
    expect(o.deletes).toEqual([]);
    expect(o.creates.map((r) => r.purpose).sort()).toEqual(["web-a-1", "web-aaaa-1", "www"]);
  });

  it("offboarding one service deletes that service's records; offboarding all also the web", () => {
    const before = fleet(2);
    const partial = ownerOf(step(before, edit(before, "commune-1", withServices("fichiers"))), "commune-1");
    expect(deletions(partial)).toEqual(MAIL.map((id) => `${id} [offboarded from messages]`));
    expect(partial.creates.map((r) => r.purpose).sort()).toEqual(["null-mx", "spf-none"]);
    expect(partial.deletes.some((x) => x.replaced)).toBe(false);

    const all = ownerOf(step(before, edit(before, "commune-1", withServices())), "commune-1");
    expect(deletions(all)).toEqual([...MAIL.map((id) => `${id} [offboarded from messages]`), ...WEB.map((id) => `${id} [offboarded from fichiers, messages]`)].sort());
  });

  it("a tombstone: the commune's records go, its label keeps no-mail records", () => {
    const before = fleet(2);
    const d = step(before, edit(before, "commune-1", tombstone));
    expect(deletions(ownerOf(d, "commune-1", "removed"))).toEqual([...MAIL, ...WEB].sort().map((id) => `${id} [tombstone since 2026-02-01]`));
    expect(ownerOf(d, "commune-1", "added").records.map((r) => r.purpose).sort()).toEqual(["null-mx", "spf-none"]);
    expect(ownerOf(d, "commune-1", "added").holder).toEqual({ kind: "label", label: "commune-1" });
  });

  it("a merger: the absorbed commune's label becomes an alias that still receives mail", () => {
    const before = fleet(2);
    const d = step(before, edit(before, "commune-1", aliasOf(keyOf(0))));
    expect(deletions(ownerOf(d, "commune-1", "removed"))).toEqual([...MAIL, ...WEB].sort().map((id) => `${id} [now an alias of ${keyOf(0)} (merged)]`));
    expect(ownerOf(d, "commune-1", "added").records.map((r) => r.purpose).sort()).toEqual(["dmarc", "mx1", "mx2", "spf-none", "tls-rpt", "web-a-1", "web-aaaa-1", "www"]);
    // What the alias publishes again under the same name is no loss; the SPF and DKIM of the commune are.
    expect(ownerOf(d, "commune-1", "removed").deletes.filter((x) => !x.replaced).map((x) => x.record.purpose).sort()).toEqual(["dkim", "spf"]);
  });

  it("a merger where the commune nouvelle inherits the label", () => {
    const before = fleet(2);
    const after = edit(before, "commune-1", (e) => ({ ...e, key: "200000099", inheritedFrom: e.key!, updatedAt: LATER }));
    const d = step(before, after);
    expect(deletions(ownerOf(d, "commune-1", "removed"))).toEqual([...MAIL, ...WEB].sort().map((id) => `${id} [inherited by 200000099 (merger)]`));
    expect(ownerOf(d, "commune-1", "added").owner).toBe("200000099");
  });

  it("allocate --switch: the commune's records move to its new label (updates), the old label becomes its alias", () => {
    const reservation = entry({ label: "commune-1-neuve", state: "reserved", reservedReason: "rename", key: keyOf(1), name: "Commune 1 Neuve", departement: "48" });
    const before = [...fleet(2), reservation];
    const after = edit(edit(before, "commune-1", aliasOf(keyOf(1))), "commune-1-neuve", (e) => ({ ...e, state: "allocated", reservedReason: undefined, services: before[1]!.services }) as typeof e);
    const d = step(before, after, keysFor(after), keysFor(before));
    const moved = ownerOf(d, "commune-1-neuve", "changed");
    expect(moved.owner).toBe(keyOf(1));
    expect(moved.previousLabel).toBe("commune-1");
    expect(moved.deletes).toEqual([]);
    expect(moved.updates.map((u) => `${u.before.name} → ${u.after.name}`)).toContain("_dmarc.commune-1 → _dmarc.commune-1-neuve");
    expect(moved.updates.every((u) => u.explainedBy === "switched from commune-1 to commune-1-neuve (allocate --switch)")).toBe(true);
    expect(deletions(ownerOf(d, "commune-1-neuve", "removed"))).toEqual(NO_MAIL.map((id) => `${id} [now the label of its commune ${keyOf(1)} (allocate --switch)]`));
    expect(ownerOf(d, "commune-1", "added").holder).toEqual({ kind: "label", label: "commune-1" });
  });

  it("a switch whose DKIM key is still the old domain's: the deletion is explained by the switch", () => {
    const reservation = entry({ label: "commune-1-neuve", state: "reserved", reservedReason: "rename", key: keyOf(1), name: "Commune 1 Neuve", departement: "48" });
    const before = [...fleet(2), reservation];
    const after = edit(edit(before, "commune-1", aliasOf(keyOf(1))), "commune-1-neuve", (e) => ({ ...e, state: "allocated", reservedReason: undefined, services: before[1]!.services }) as typeof e);
    const d = step(before, after, keysFor(before), keysFor(before));
    expect(deletions(ownerOf(d, "commune-1-neuve", "changed"))).toEqual(["dkim.TXT [switched from commune-1 to commune-1-neuve (allocate --switch)]"]);
  });

  it("an alias follows its commune: offboarded with it, tombstoned when the successor vanishes", () => {
    const before = [...fleet(1), entry({ label: "ancien", state: "alias", key: "200000050", aliasOf: keyOf(0), departement: "48" })];
    const off = ownerOf(step(before, edit(before, "commune-0", withServices())), "ancien");
    expect(deletions(off)).toEqual(["dmarc.TXT [its commune offboarded from messages]", "mx1.MX [its commune offboarded from messages]", "mx2.MX [its commune offboarded from messages]", "tls-rpt.TXT [its commune offboarded from messages]", "web-a-1.A [its commune offboarded from fichiers, messages]", "web-aaaa-1.AAAA [its commune offboarded from fichiers, messages]", "www.CNAME [its commune offboarded from fichiers, messages]"]);
    const dead = ownerOf(step(before, edit(before, "ancien", tombstone)), "ancien");
    expect(deletions(dead).every((x) => x.endsWith("[tombstone since 2026-02-01]"))).toBe(true);
  });
});

describe("the diff's order", () => {
  it("lists the zone level first, then every owner by label, removed ones among the others", () => {
    const labels = ["bravo", "delta", "alpha", "charlie"].map((l) => entry({ label: l, state: "reserved", reservedReason: "homonym-group" }));
    const before = labels;
    const after = [labels[1]!, labels[3]!, entry({ label: "echo", state: "reserved", reservedReason: "homonym-group" })];
    const d = diff(snapshot(before, {}, { shard: "platform" }), snapshot(after, {}, { shard: "platform" }), [...after, tombstone({ ...labels[0]!, key: "200000001" }), tombstone({ ...labels[2]!, key: "200000002" })]);
    expect(d.owners.map((o) => `${o.label} ${o.status}`)).toEqual(["@ unchanged", "alpha removed", "bravo removed", "charlie unchanged", "delta unchanged", "echo added"]);
    // A label changing owner (the commune's key, then the label itself) appears twice, ordered by owner.
    const two = fleet(3);
    const t = step(two, edit(edit(two, "commune-2", tombstone), "commune-0", tombstone));
    expect(t.owners.map((o) => `${o.label} ${o.owner} ${o.status}`)).toEqual([`commune-0 ${keyOf(0)} removed`, "commune-0 commune-0 added", `commune-1 ${keyOf(1)} unchanged`, `commune-2 ${keyOf(2)} removed`, "commune-2 commune-2 added"]);
  });
});

describe("deletions the ledger does not explain", () => {
  it("a hand-cut ledger line", () => {
    const before = fleet(3);
    const o = ownerOf(step(before, edit(before, "commune-2", null)), "commune-2", "removed");
    expect(o.deletes).toHaveLength(9);
    expect(new Set(o.deletes.map((x) => x.why))).toEqual(new Set(['the ledger has no line for "commune-2" any more (labels are never removed: a hand-cut or truncated ledger?)']));
    expect(o.deletes.every((x) => x.explainedBy === null)).toBe(true);
  });

  it("a lost DKIM key while the commune is still enrolled", () => {
    const entries = fleet(3);
    const keys = { ...keysFor(entries) };
    delete keys["commune-1.collectivite.fr"];
    expect(deletions(ownerOf(step(entries, entries, keys), "commune-1"))).toEqual(["dkim.TXT ✗ still enrolled in messages"]);
  });

  it("web records of a commune still enrolled, a record set dropped from the configuration, no-mail records of a commune without mail", () => {
    const entries = fleet(1, ["fichiers"]);
    const cfg = config();
    const { web: _web, ...sets } = cfg.dns!.recordSets;
    const noWeb = { ...cfg, dns: { ...cfg.dns!, recordSets: sets } };
    const d = diff(snapshot(entries), snapshot(entries, {}, { cfg: noWeb }), entries, { cfg: noWeb });
    expect(deletions(ownerOf(d, "commune-0"))).toEqual(WEB.map((id) => `${id} ✗ its record set "web" is no longer in the configuration's dns.recordSets`));
    const withoutWeb = { ...cfg, dns: { ...cfg.dns!, recordSets: { ...cfg.dns!.recordSets, web: { ...cfg.dns!.recordSets.web!, records: cfg.dns!.recordSets.web!.records.filter((r) => r.purpose !== "www") } } } };
    const d2 = diff(snapshot(entries), snapshot(entries, {}, { cfg: withoutWeb }), entries, { cfg: withoutWeb });
    expect(deletions(ownerOf(d2, "commune-0"))).toEqual(["www.CNAME ✗ still enrolled in fichiers"]);
    const noSpf = { ...cfg, dns: { ...cfg.dns!, noMail: cfg.dns!.noMail.filter((r) => r.purpose !== "spf-none") } };
    const d3 = diff(snapshot(entries), snapshot(entries, {}, { cfg: noSpf }), entries, { cfg: noSpf });
    expect(deletions(ownerOf(d3, "commune-0"))).toEqual(["spf-none.TXT ✗ its no-mail records go although it receives no mail"]);
    expect(ownerOf(d3, "commune-0").deletes[0]!.replaced).toBe(false);
  });

  it("a commune moved to another département, a label handed to another commune, a label made reserved", () => {
    const before = fleet(3);
    const moved = ownerOf(step(before, edit(before, "commune-0", (e) => ({ ...e, departement: "12" }))), "commune-0", "removed");
    expect(moved.deletes[0]!.why).toBe(`still allocated to ${keyOf(0)}, now in département 12: apply that stack first, then allow this one`);
    const stolen = ownerOf(step(before, edit(before, "commune-1", (e) => ({ ...e, key: "200000077" }))), "commune-1", "removed");
    expect(stolen.deletes[0]!.why).toBe(`its label is now held by 200000077, which only a merger (inheritedFrom ${keyOf(1)}) may do`);
    const reserved = ownerOf(step(before, edit(before, "commune-2", (e) => ({ ...e, state: "reserved", reservedReason: "rename" }) as typeof e)), "commune-2", "removed");
    expect(reserved.deletes[0]!.why).toBe("its label is now reserved (rename), which no ledger rule does to a label that had records");
  });

  it("the zone level gone whole, and a commune's label turned into an alias of itself", () => {
    const entries = [entry({ label: "saint-denis", state: "reserved", reservedReason: "homonym-group" })];
    const prev = snapshot(entries, {}, { shard: "platform" });
    // The next snapshot without its zone owner: every zone record goes, none explained.
    const gone = diff(prev, { ...prev, owners: prev.owners.filter((o) => o.owner !== "zone") }, entries);
    expect(ownerOf(gone, "@").status).toBe("removed");
    expect(new Set(ownerOf(gone, "@").deletes.map((x) => x.why))).toEqual(new Set(["zone-level records are never deleted by a ledger change"]));
    const before = fleet(1);
    const self = diff(snapshot(before), snapshot([]), [aliasOf(keyOf(0))(before[0]!)]);
    expect(ownerOf(self, "commune-0").deletes[0]!.explainedBy).toBe(`now an alias of its own commune ${keyOf(0)} (switched to its new name's label)`);
  });

  it("zone-level records", () => {
    const entries = [entry({ label: "saint-denis", state: "reserved", reservedReason: "homonym-group" })];
    const cfg = config();
    const noCaa = { ...cfg, dns: { ...cfg.dns!, zoneRecords: cfg.dns!.zoneRecords.filter((t) => t.purpose !== "caa-issuewild") } };
    const d = diff(snapshot(entries, {}, { shard: "platform" }), snapshot(entries, {}, { shard: "platform", cfg: noCaa }), entries, { cfg: noCaa });
    expect(deletions(ownerOf(d, "@"))).toEqual(["caa-issuewild.CAA ✗ zone-level records are never deleted by a ledger change"]);
    expect(ownerOf(d, "saint-denis").status).toBe("unchanged");
  });
});

describe("subscriptions in the diff", () => {
  const sub = (i: number, service = "messages", operator = "cdg48") => ({ commune: keyOf(i), label: `commune-${i}`, service, operator });

  it("explains offboarding, merger and tombstone; refuses a commune still enrolled or gone from the ledger", () => {
    const before = fleet(6);
    const prev = snapshot(before, {}, { subscriptions: [0, 1, 2, 3, 4, 5].map((i) => sub(i)) });
    let after = edit(before, "commune-0", withServices("fichiers"));
    after = edit(after, "commune-1", aliasOf(keyOf(5)));
    after = edit(after, "commune-2", tombstone);
    after = edit(after, "commune-4", null);
    const next = snapshot(after, {}, { subscriptions: [sub(5), sub(5, "fichiers")] });
    const d = diff(prev, next, after, { unplaced: new Map([[`${keyOf(3)}/messages`, "the commune is a member of no configured operator (data/operators.json)"]]) });
    expect(d.subscriptions.previous).toBe(6);
    expect(d.subscriptions.next).toBe(2);
    expect(d.subscriptions.creates).toEqual([sub(5, "fichiers")]);
    expect(d.subscriptions.deletes.map((x) => `${x.subscription.label} ${x.explainedBy ? `[${x.explainedBy}]` : `✗ ${x.why}`}`)).toEqual([
      "commune-0 [offboarded from messages]",
      `commune-1 [merged: its label is now an alias of ${keyOf(5)}, whose own subscription carries the service]`,
      "commune-2 [tombstone since 2026-02-01]",
      "commune-3 ✗ still enrolled in messages, but the commune is a member of no configured operator (data/operators.json)",
      'commune-4 ✗ the ledger has no line for "commune-4" any more (labels are never removed: a hand-cut or truncated ledger?)',
    ]);
  });

  it("explains a subscription inherited in a merger; refuses one whose label went to another commune", () => {
    const before = fleet(2);
    const inherited = edit(before, "commune-0", (e) => ({ ...e, key: "200000099", inheritedFrom: e.key!, updatedAt: LATER }));
    const d = diff(snapshot(before, {}, { subscriptions: [sub(0)] }), snapshot(inherited), inherited);
    expect(d.subscriptions.deletes.map((x) => x.explainedBy)).toEqual(["inherited by 200000099 (merger)"]);
    const taken = edit(before, "commune-0", (e) => ({ ...e, key: "200000077" }));
    const t = diff(snapshot(before, {}, { subscriptions: [sub(0)] }), snapshot(taken), taken);
    expect(t.subscriptions.deletes.map((x) => x.why)).toEqual([`the commune ${keyOf(0)} holds no label in the ledger any more`]);
  });

  it("without a reason from the model, says the run declares none", () => {
    const entries = fleet(1);
    const d = diff(snapshot(entries, {}, { subscriptions: [sub(0)] }), snapshot(entries), entries);
    expect(d.subscriptions.deletes[0]!.why).toBe("still enrolled in messages, but this run declares no subscription for it");
  });
});

describe("the applied snapshot", () => {
  it("carries typed holders, ledger states and the records themselves; it reads back only in its own format", () => {
    const entries = [...fleet(1), entry({ label: "vieux", state: "alias", key: "200000050", aliasOf: keyOf(0), departement: "48" })];
    const desired = desiredZone(entries, config(), keysFor(entries), { departement: "48" });
    const s = appliedSnapshotOf(desired, "48", [{ commune: keyOf(0), label: "commune-0", service: "messages", operator: "cdg48" }]);
    expect(s.owners.map((o) => [o.owner, o.holder, o.state, o.key])).toEqual([
      [keyOf(0), { kind: "commune", key: keyOf(0) }, "allocated", keyOf(0)],
      ["vieux", { kind: "label", label: "vieux" }, "alias", "200000050"],
    ]);
    expect(s.owners[0]!.records.find((r) => r.purpose === "mx1")).toEqual({ purpose: "mx1", set: "messages", name: "commune-0", type: "MX", ttl: 3600, value: "10 mx1.mail.suite-territoriale.anct.gouv.fr." });
    const roundTrip = JSON.parse(JSON.stringify(s));
    expect(parseAppliedSnapshot(roundTrip)).toEqual({ ok: true, snapshot: s });
    expect(parseAppliedSnapshot({ guardState: roundTrip, zone: "x" })).toEqual({ ok: true, snapshot: s });
    expect(parseAppliedSnapshot({ version: 1, zone: "collectivite.fr", shard: "48", owners: [] })).toEqual({ ok: false, problem: expect.stringMatching(/version 1 guardState \(record digests only/) });
    expect(parseAppliedSnapshot({ ...roundTrip, owners: "x" })).toEqual({ ok: false, problem: expect.stringMatching(/^owners: /) });
    const platform = appliedSnapshotOf(desiredZone(entries, config(), {}), "platform");
    expect(platform.owners.map((o) => o.label)).toEqual(["@"]);
    expect(platform.owners[0]!.holder).toEqual({ kind: "zone" });
    expect(scopeOwners(desiredZone([...entries, entry({ label: "ajaccio", state: "allocated", key: "212000046", departement: "2A" })], config(), {}), null).map((o) => o.label)).toEqual(["@", "ajaccio", "commune-0", "vieux"]);
    expect(scopeOwners(desiredZone(entries, config(), {}), "2a")).toEqual([]);
    const subs = appliedSnapshotOf(desired, "48", [
      { commune: keyOf(1), label: "commune-1", service: "messages", operator: "cdg48" },
      { commune: keyOf(0), label: "commune-0", service: "messages", operator: "cdg48" },
      { commune: keyOf(0), label: "commune-0", service: "fichiers", operator: "cdg48" },
      { commune: keyOf(1), label: "commune-1", service: "fichiers", operator: "cdg48" },
    ]).subscriptions.map((x) => `${x.commune} ${x.service}`);
    expect(subs).toEqual([`${keyOf(0)} fichiers`, `${keyOf(0)} messages`, `${keyOf(1)} fichiers`, `${keyOf(1)} messages`]);
    expect(desired.owners[0]!.records.map((r) => r.purpose)).not.toEqual(s.owners[0]!.records.map((r) => r.purpose));
    expect(s.owners[0]!.records.map((r) => r.purpose)).toEqual([...s.owners[0]!.records.map((r) => r.purpose)].sort());
  });

  it("names at most five problems of an invalid snapshot", () => {
    const bad = parseAppliedSnapshot({ version: 2, zone: "", shard: "", owners: [{}, {}], subscriptions: [{}] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem.split("; ")).toHaveLength(5);
    expect(parseAppliedSnapshot(null)).toEqual({ ok: false, problem: expect.stringMatching(/^\(root\): /) });
    expect(parseAppliedSnapshot("guardState")).toEqual({ ok: false, problem: expect.stringMatching(/^\(root\): /) });
  });

  it("reads `pulumi stack output guardState --json` from a file, refusing what is not one with the command to run", () => {
    const dir = mkdtempSync(join(tmpdir(), "domaines-applied-"));
    try {
      const entries = fleet(1);
      const s = snapshot(entries);
      const file = join(dir, "applied.json");
      writeFileSync(file, JSON.stringify(s));
      expect(readAppliedSnapshotFile(file)).toEqual(s);
      expect(() => readAppliedSnapshotFile(join(dir, "none.json"))).toThrow(/^--against ".*none\.json": no such file; write it with `pulumi stack output guardState --json -s dep-48 > .*none\.json`\.$/);
      writeFileSync(file, "{");
      expect(() => readAppliedSnapshotFile(file)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/: not JSON \(.*\); write it with `pulumi stack output guardState --json > /) }));
      writeFileSync(file, JSON.stringify({ version: 1 }));
      expect(() => readAppliedSnapshotFile(file)).toThrow(/is not a stack's applied snapshot: it is a version 1 guardState .* Write it with `pulumi stack output guardState --json > .*` after a run of this version\.$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the diff's order and status, on hand-made snapshots", () => {
  const r = (purpose: string, name = "n"): SnapshotRecord => ({ purpose, set: "web", name, type: "TXT", ttl: 3600, value: "x" });
  const o = (owner: string, label: string, records: SnapshotRecord[]): SnapshotOwner => ({ owner, holder: owner === "zone" ? { kind: "zone" } : { kind: "label", label }, label, key: null, state: owner === "zone" ? "zone" : "allocated", departement: owner === "zone" ? null : "48", services: ["fichiers"], records });
  const snap = (owners: SnapshotOwner[]): AppliedSnapshot => ({ version: 2, zone: "collectivite.fr", shard: "48", owners, subscriptions: [] });
  const sets = config().dns!.recordSets;

  it("the zone first (even before a label that sorts before \"@\"), then by label, then by owner, whatever the snapshots' order", () => {
    const previous = snap([o("200000009", "alpha", [r("a")]), o("zone", "@", [r("z")])]);
    const next = snap([o("beta", "beta", [r("b")]), o("200000001", "alpha", [r("a")]), o("alpha", "alpha", [r("a")]), o("zone", "@", [r("z")]), o("200000002", "aardvark", [r("a")]), o("200000003", "3-rivieres", [r("a")])]);
    const d = diffSnapshots({ previous, next, ledger: [], recordSets: sets });
    expect(d.owners.map((x) => `${x.label}/${x.owner}`)).toEqual(["@/zone", "3-rivieres/200000003", "aardvark/200000002", "alpha/200000001", "alpha/200000009", "alpha/alpha", "beta/beta"]);
  });

  it("an owner that only loses a record is changed; a name left with no record of its type is not counted as replaced", () => {
    const d = diffSnapshots({ previous: snap([o("alpha", "alpha", [r("a"), r("b", "m")])]), next: snap([o("alpha", "alpha", [r("a")])]), ledger: [], recordSets: sets });
    expect(d.owners.map((x) => [x.status, x.deletes.map((del) => [del.record.purpose, del.replaced])])).toEqual([["changed", [["b", false]]]]);
  });
});

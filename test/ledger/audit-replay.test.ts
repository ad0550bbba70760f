import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Commune } from "../../src/communes/schema.js";
import { auditEventLine, auditLines, entryValidator, replayAudit, type Change, type LedgerDigest } from "../../src/ledger/audit.js";
import { serializeEntry } from "../../src/ledger/codec.js";
import { newAllocatedEntry } from "../../src/ledger/entries.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";

/**
 * The replay of the audit log, in process (what `validate` and every write rely on to tell a
 * ledger edited outside domaines from one it wrote): each log is written line by line here,
 * then replayed, and every field of the result is asserted.
 */
const T1 = "2026-01-01T00:00:00.000Z";
const T2 = "2026-02-01T00:00:00.000Z";
const c = (key: string, insee: string, name: string): Commune => ({ key, siren: key, insee, name, departement: "48", region: null, population: null, postalCodes: [] });
const alpha = newAllocatedEntry(c("214800001", "48001", "Alpha"), "alpha", T1);
const beta = newAllocatedEntry(c("214800002", "48002", "Beta"), "beta", T1);
const alphaMessages: LedgerEntry = { ...alpha, updatedAt: T2, services: { messages: { enrolledAt: T2, quotas: {} } } };
const alphaTomb: LedgerEntry = { ...alpha, state: "tombstone", tombstonedAt: T2, updatedAt: T2 };
const sha = (ch: string): string => ch.repeat(64);
const d = (before: string, after: string): LedgerDigest => ({ before: sha(before), after: sha(after) });
const tx = (id: string, changes: Change[], digest: LedgerDigest, time = T1): string => auditLines(id, time, "test", "allocate", changes, digest).join("");
const marker = (id: string, torn?: { offset: number; length: number }[]): string => `${JSON.stringify({ tx: id, time: T2, actor: "test", command: "settle", outcome: "aborted", reason: "stopped", ...(torn ? { torn } : {}) })}\n`;

const dir = mkdtempSync(join(tmpdir(), "domaines-audit-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** Writes `text` as an audit log and replays it. */
function replayOf(text: string, seed?: Iterable<[string, LedgerEntry]>) {
  const path = join(dir, `audit-${n++}.jsonl`);
  writeFileSync(path, text);
  return { path, replay: replayAudit(path, seed) };
}
const create1 = tx("tx1", [{ label: "alpha", before: null, after: alpha }, { label: "beta", before: null, after: beta }], d("0", "1"));
const enrol2 = tx("tx2", [{ label: "alpha", before: alpha, after: alphaMessages }], d("1", "2"), T2);

describe("replaying the audit log", () => {
  it("a missing log replays to an empty ledger", () => {
    expect(replayAudit(join(dir, "absent.jsonl"))).toEqual({ state: new Map(), stateBeforeLast: null, lastTx: null, lastDigest: null, transactions: 0, changes: 0, problems: [], repairable: [] });
  });

  it("an empty log, or one of events only, replays to an empty ledger", () => {
    const empty = { state: new Map(), stateBeforeLast: null, lastTx: null, lastDigest: null, transactions: 0, changes: 0, problems: [], repairable: [] };
    expect(replayOf("").replay).toEqual(empty);
    expect(replayOf(auditEventLine("ev1", T1, "test", "tokens create", { kind: "token.create" })).replay).toEqual(empty);
  });

  it("a clean chain: the state after each transaction, the state before the last, its digest, and the counts (events pass)", () => {
    const event = auditEventLine("ev1", T2, "test", "members add", { kind: "membership.add", operator: "cdg48" });
    const { replay } = replayOf(create1 + event + enrol2);
    expect(replay).toEqual({
      state: new Map([["alpha", alphaMessages], ["beta", beta]]),
      stateBeforeLast: new Map([["alpha", alpha], ["beta", beta]]),
      lastTx: "tx2",
      lastDigest: d("1", "2"),
      transactions: 2,
      changes: 3,
      problems: [],
      repairable: [],
    });
  });

  it("seeded with the ledger's own entries, reuses them (same objects) for lines of the same text", () => {
    const seeded = { ...beta };
    const { replay } = replayOf(create1, [[serializeEntry(beta), seeded]]);
    expect(replay.state.get("beta")).toBe(seeded);
    expect(replay.state.get("alpha")).not.toBe(alpha);
    expect(replay.state.get("alpha")).toEqual(alpha);
  });

  describe("each change starts from what the log says the label was (\"before\" continuity)", () => {
    it("a before that differs from the replayed entry is named with its line", () => {
      const edited = { ...alpha, name: "Alpha-sur-Lot" };
      const { path, replay } = replayOf(create1 + tx("tx2", [{ label: "alpha", before: edited, after: alphaMessages }], d("1", "2")));
      expect(replay.problems).toEqual([`${path}:3: "before" of label "alpha" differs from the replayed log (the ledger was edited outside domaines before this change)`]);
      // The change is still applied: the state is what the log says.
      expect(replay.state.get("alpha")).toEqual(alphaMessages);
    });
    it("a before for a label the log never created, and a null before for one it holds", () => {
      const { path, replay } = replayOf(tx("tx1", [{ label: "beta", before: beta, after: beta }], d("0", "1")) + tx("tx2", [{ label: "beta", before: null, after: beta }], d("1", "2")));
      expect(replay.problems).toEqual([
        `${path}:1: "before" of label "beta" differs from the replayed log (the ledger was edited outside domaines before this change)`,
        `${path}:2: "before" of label "beta" differs from the replayed log (the ledger was edited outside domaines before this change)`,
      ]);
    });
  });

  it("a change no ledger rule allows is named, and a deletion removes the label from the state", () => {
    const { path, replay } = replayOf(create1 + tx("tx2", [{ label: "alpha", before: alpha, after: null }], d("1", "2")) + tx("tx3", [{ label: "beta", before: beta, after: { ...beta, key: "214800009" } }], d("2", "3")));
    expect(replay.problems).toEqual([
      `${path}:3: label "alpha" would be deleted; labels are kept forever (tombstone instead)`,
      `${path}:4: label "beta" would pass from 214800002 to 214800009; a label passes only to its holder's legal successor`,
    ]);
    expect([...replay.state.keys()]).toEqual(["beta"]);
    expect(replay.changes).toBe(4);
  });

  it("a tombstone stays in the state", () => {
    const { replay } = replayOf(create1 + tx("tx2", [{ label: "alpha", before: alpha, after: alphaTomb }], d("1", "2")));
    expect(replay.problems).toEqual([]);
    expect(replay.state.get("alpha")).toEqual(alphaTomb);
  });

  describe("the digest chain", () => {
    it("each committed transaction must read the ledger the previous one wrote", () => {
      const { path, replay } = replayOf(create1 + tx("tx2", [{ label: "alpha", before: alpha, after: alphaMessages }], d("7", "2")));
      expect(replay.problems).toEqual([`${path}:3: transaction tx2 read a ledger (SHA-256 777777777777…) other than the one the previous transaction wrote (111111111111…): edited outside domaines, or two writers at once`]);
    });
    it("a transaction older than the chain (no digest) neither breaks it nor resets it", () => {
      const old = `${JSON.stringify({ tx: "tx2", seq: 0, of: 1, time: T2, actor: "test", command: "allocate", label: "alpha", before: JSON.parse(serializeEntry(alpha)), after: JSON.parse(serializeEntry(alphaMessages)) })}\n`;
      const ok = replayOf(create1 + old + tx("tx3", [{ label: "beta", before: beta, after: beta }], d("1", "3")));
      expect(ok.replay.problems).toEqual([]);
      expect(ok.replay.lastDigest).toEqual(d("1", "3"));
      const broken = replayOf(create1 + old + tx("tx3", [{ label: "beta", before: beta, after: beta }], d("2", "3")));
      expect(broken.replay.problems).toEqual([`${broken.path}:4: transaction tx3 read a ledger (SHA-256 222222222222…) other than the one the previous transaction wrote (111111111111…): edited outside domaines, or two writers at once`]);
      // The first transaction of a log may read any ledger (a log started on an existing file).
      expect(replayOf(tx("tx1", [{ label: "beta", before: null, after: beta }], d("9", "1"))).replay.problems).toEqual([]);
    });
    it("the last transaction without a digest leaves lastDigest null", () => {
      const old = `${JSON.stringify({ tx: "tx9", seq: 0, of: 1, time: T2, actor: "test", command: "allocate", label: "beta", before: JSON.parse(serializeEntry(beta)), after: JSON.parse(serializeEntry(beta)) })}\n`;
      expect(replayOf(create1 + old).replay).toMatchObject({ lastTx: "tx9", lastDigest: null, transactions: 2, problems: [] });
    });
  });

  describe("transactions cut short", () => {
    const firstOfTwo = create1.split("\n")[0]! + "\n";
    it("the last one is repairable (the next write marks it aborted) and carries no digest", () => {
      const { path, replay } = replayOf(firstOfTwo);
      expect(replay).toMatchObject({ problems: [], repairable: [`${path}:1: transaction tx1 has only 1 of its 2 lines (a stopped process); the next write records it as aborted`], lastTx: "tx1", lastDigest: null, transactions: 1, changes: 1 });
      expect(replay.state).toEqual(new Map([["alpha", alpha]]));
    });
    it("one before the last, without an aborted marker, is a problem", () => {
      const { path, replay } = replayOf(firstOfTwo + enrol2);
      expect(replay.problems).toEqual([`${path}:1: transaction tx1 has 1 of its 2 lines and no aborted marker`]);
      expect(replay.repairable).toEqual([]);
    });
    it("as many lines as announced but not ending on the last seq is incomplete too", () => {
      const { path, replay } = replayOf(firstOfTwo + firstOfTwo.replace('"before":null', '"before":' + serializeEntry(alpha)));
      expect(replay.repairable).toEqual([`${path}:2: transaction tx1 has only 2 of its 2 lines (a stopped process); the next write records it as aborted`]);
    });
    it("a transaction of which only the last line is left is incomplete", () => {
      const lastOfTwo = create1.split("\n")[1]! + "\n";
      const { path, replay } = replayOf(lastOfTwo);
      expect(replay.repairable).toEqual([`${path}:1: transaction tx1 has only 1 of its 2 lines (a stopped process); the next write records it as aborted`]);
      expect(replay.lastDigest).toBeNull();
    });
    it("a transaction marked aborted is left out of the state and the counts", () => {
      const { replay } = replayOf(create1 + enrol2 + marker("tx2"));
      expect(replay).toMatchObject({ lastTx: "tx1", lastDigest: d("0", "1"), transactions: 1, changes: 2, problems: [], repairable: [] });
      expect(replay.state).toEqual(new Map([["alpha", alpha], ["beta", beta]]));
      expect(replay.stateBeforeLast).toEqual(new Map());
    });
  });

  describe("unreadable lines", () => {
    it("in the middle of the log: not an audit record, by line number", () => {
      const { path, replay } = replayOf(create1 + "{not json\n" + enrol2);
      expect(replay.problems).toEqual([`${path}:3: not an audit record`]);
      expect(replay.repairable).toEqual([]);
    });
    it("a line whose entry breaks the ledger schema is not an audit record either", () => {
      const bad = enrol2.replace('"state":"allocated"', '"state":"borrowed"');
      const next = tx("tx3", [{ label: "beta", before: beta, after: beta }], d("1", "3"));
      const { path, replay } = replayOf(create1 + bad + next);
      expect(replay.problems).toEqual([`${path}:3: not an audit record`]);
      const badAfter = enrol2.replace(/"state":"allocated"(?![\s\S]*"state":"allocated")/, '"state":"borrowed"');
      const other = replayOf(create1 + badAfter + next);
      expect(other.replay.problems).toEqual([`${other.path}:3: not an audit record`]);
    });
    it("a blank first line, a JSON null, a change line without its fields: each is not an audit record", () => {
      for (const bad of ["", "null", '{"seq":0}']) {
        const { path, replay } = replayOf(`${bad}\n${create1}`);
        expect(replay, JSON.stringify(bad)).toMatchObject({ problems: [`${path}:1: not an audit record`], repairable: [], transactions: 1, changes: 2 });
      }
    });
    it("a log of one unreadable line is a stopped first write, repairable", () => {
      const { path, replay } = replayOf('{"tx":"tx1","seq":0\n');
      expect(replay).toMatchObject({ problems: [], repairable: [`${path}:1: an audit line cut short by a stopped process; the next write records it as aborted`], transactions: 0, lastTx: null });
    });
    it("after the last record: a line cut short by a stopped process, repairable", () => {
      const { path, replay } = replayOf(create1 + '{"tx":"tx2","seq":0,"of\n');
      expect(replay.problems).toEqual([]);
      expect(replay.repairable).toEqual([`${path}:3: an audit line cut short by a stopped process; the next write records it as aborted`]);
    });
    it("a torn last line without newline is reported once", () => {
      const { path, replay } = replayOf(create1 + '{"tx":"tx2","seq":0,"of');
      expect(replay.repairable).toEqual([`${path}:3: an audit line cut short by a stopped process; the next write records it as aborted`]);
    });
    it("a log whose readable last line lacks its newline ends with a line cut short", () => {
      const { path, replay } = replayOf(create1.slice(0, -1));
      expect(replay.problems).toEqual([]);
      expect(replay.repairable).toEqual([`${path}: ends with a line cut short; the next write records it as aborted`]);
    });
    it("a bad line followed by an aborted marker, or listed in a marker's torn offsets, is settled", () => {
      expect(replayOf(create1 + "{torn\n" + marker("tx1b") + enrol2).replay).toMatchObject({ problems: [], repairable: [], transactions: 2 });
      const torn = create1 + "{torn";
      const settled = replayOf(`${torn}\n${enrol2}${marker("tx3", [{ offset: create1.length, length: 5 }])}`);
      expect(settled.replay).toMatchObject({ problems: [], repairable: [], transactions: 2 });
      // Torn offsets excuse only the line at that offset.
      const other = replayOf(`${create1}{torn\n${enrol2}${marker("tx3", [{ offset: create1.length + 1, length: 5 }])}`);
      expect(other.replay.problems).toEqual([`${other.path}:3: not an audit record`]);
    });
    it("a torn tail listed in a marker is not reported again", () => {
      // The marker's length depends on the offset it names: settle it by iteration.
      let offset = create1.length;
      for (let i = 0; i < 3; i++) offset = create1.length + marker("tx2", [{ offset, length: 5 }]).length;
      const text = `${create1}${marker("tx2", [{ offset, length: 5 }])}{torn`;
      expect(replayOf(text).replay).toMatchObject({ problems: [], repairable: [] });
    });
  });
});

describe("the entry validator the replay shares with the ledger's read", () => {
  it("null is no entry, a schema break is undefined, a valid entry is parsed once per text", () => {
    const valid = entryValidator();
    expect(valid(null)).toBeNull();
    expect(valid({ label: "alpha" })).toBeUndefined();
    const value = JSON.parse(serializeEntry(alpha));
    const first = valid(value);
    expect(first).toEqual(alpha);
    expect(valid(JSON.parse(serializeEntry(alpha)))).toBe(first);
  });
  it("an entry already validated is found by its text as cut from the line, without parsing the value", () => {
    const seeded = { ...beta };
    const valid = entryValidator([[serializeEntry(beta), seeded]]);
    expect(valid(JSON.parse(serializeEntry(beta)))).toBe(seeded);
    // The raw text decides when given: the value is not even looked at.
    expect(valid({ not: "an entry" }, serializeEntry(beta))).toBe(seeded);
    expect(valid({ not: "an entry" }, "{}")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { writeJsonChunks } from "../../src/cli/json-out.js";

const text = (value: unknown, chunk?: number) => {
  const parts: string[] = [];
  writeJsonChunks(value, (t) => parts.push(t), chunk);
  return { joined: parts.join(""), parts };
};

describe("JSON written in pieces", () => {
  const big = {
    ledger: "/tmp/l",
    subscriptions: Array.from({ length: 500 }, (_, i) => ({ label: `c${i}`, name: "Saint-Étienne \u2028 \"quoted\"", quotas: [{ size: i, source: undefined }], skipped: undefined, when: new Date(0) })),
    holes: Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? undefined : () => i)),
    nested: { deep: Array.from({ length: 40 }, (_, i) => [i, { x: i }]) },
    nothing: undefined,
    fn: () => 1,
    map: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i % 3 === 0 ? undefined : i])),
    // Runs of small elements cut by large ones (walked) and longer than one stringified run.
    mixed: Array.from({ length: 700 }, (_, i) => (i % 300 === 7 ? Array.from({ length: 40 }, (_, j) => ({ j })) : i % 5 === 0 ? undefined : { i })),
    // eslint-disable-next-line no-sparse-arrays
    sparse: Object.assign(new Array(60), { 3: 1, 40: { x: 1 } }),
  };

  it("is exactly JSON.stringify's text, in several pieces", () => {
    const { joined, parts } = text(big, 1024);
    expect(joined).toBe(JSON.stringify(big));
    expect(parts.length).toBeGreaterThan(5); // runs of up to 64 small elements are one piece each
    for (const p of parts.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(1024);
  });

  it("leaves small and special values to JSON.stringify", () => {
    for (const v of [null, 1, "é", [1, undefined], { a: undefined }, new Date(0), [], {}, Object.create(null)]) expect(text(v).joined).toBe(JSON.stringify(v));
    const withToJson = { toJSON: () => ({ replaced: Array.from({ length: 100 }, (_, i) => i) }) };
    expect(text(withToJson).joined).toBe(JSON.stringify(withToJson));
  });
});

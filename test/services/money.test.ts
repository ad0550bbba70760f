import { describe, expect, it } from "vitest";
import { divRound, formatCents, formatPrice, microsToCents, parseEuros } from "../../src/services/money.js";

describe("money in integers", () => {
  it("parses decimal euro text exactly", () => {
    expect(parseEuros("0.25")).toBe(250_000n);
    expect(parseEuros("0.1")).toBe(100_000n);
    expect(parseEuros("15000")).toBe(15_000_000_000n);
    expect(parseEuros("0.03888")).toBe(38_880n);
    for (const bad of ["", ".5", "1,5", "-1", "0.1234567", "1e3", " 1"]) expect(parseEuros(bad)).toBeNull();
  });

  it("rounds half away from zero once, where floats would drift", () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    // 0.1 + 0.2 per GB over 3 GB: exact 90 cents, where 3 * (0.1 + 0.2) * 100 is 90.00000000000001 in floats.
    expect(microsToCents(3n * (parseEuros("0.1")! + parseEuros("0.2")!))).toBe(90);
    expect(microsToCents(375_000n, 1n)).toBe(38); // 37.5 cents → 38
  });

  it("formats for people", () => {
    expect(formatCents(1_500_000)).toBe("15\u202f000,00 €");
    expect(formatCents(42_366)).toBe("423,66 €");
    expect(formatCents(5)).toBe("0,05 €");
    expect(formatPrice(20_000n)).toBe("0,02 €");
    expect(formatPrice(38_880n)).toBe("0,03888 €");
  });
});

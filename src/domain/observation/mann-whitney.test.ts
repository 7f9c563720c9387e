import { describe, expect, it } from "vitest";
import { mannWhitney, upperNormalTail } from "./mann-whitney.js";

describe("mannWhitney", () => {
  it("gives the exact one-sided p of complete separation: 1 / C(n, k)", () => {
    const test = mannWhitney([1, 2, 3, 4, 5, 6], [10, 11, 12], "greater");
    expect(test.method).toBe("exact");
    expect(test.u).toBe(18);
    expect(test.cliffsDelta).toBe(1);
    expect(test.pValue).toBeCloseTo(1 / 84, 10);
    expect(mannWhitney([1, 2, 3, 4, 5, 6], [10, 11, 12], "less").pValue).toBe(1);
  });

  it("handles ties exactly: all-zero baseline against a higher current", () => {
    const test = mannWhitney([0, 0, 0, 0, 0], [0.2, 0.25, 0.21], "greater");
    expect(test.pValue).toBeCloseTo(1 / 56, 10);
    // Everything tied: nothing to tell apart.
    expect(mannWhitney([1, 1, 1], [1, 1, 1], "greater").pValue).toBe(1);
  });

  it("matches a textbook value with the normal approximation (scipy: U=223, p two-sided 0.5427)", () => {
    const x = [
      310, 195, 530, 155, 530, 245, 385, 450, 465, 545, 170, 180, 125, 180, 230, 75, 430, 480, 495,
      295,
    ];
    const y = [
      116, 171, 176, 421, 111, 326, 481, 111, 346, 441, 261, 411, 206, 521, 456, 446, 296, 51, 426,
      261,
    ];
    const test = mannWhitney(x, y, "less");
    expect(test.method).toBe("normal");
    // U of the sample tested as lower is the baseline's U: 223, as scipy and ClickHouse report.
    expect(test.u).toBe(223);
    // One-sided with continuity correction is half the two-sided value.
    expect(test.pValue * 2).toBeCloseTo(0.5427, 3);
  });

  it("agrees with the normal approximation for mid-sized samples without ties", () => {
    const x = Array.from({ length: 10 }, (_, i) => i * 2);
    const y = Array.from({ length: 10 }, (_, i) => i * 2 + 3);
    const exact = mannWhitney(x, y, "greater").pValue;
    const big = mannWhitney(
      [...x, ...x.map((v) => v + 0.5)],
      [...y, ...y.map((v) => v + 0.5)],
      "greater",
    );
    expect(exact).toBeGreaterThan(0.01);
    expect(exact).toBeLessThan(0.5);
    expect(big.method).toBe("normal");
  });

  it("computes the normal tail", () => {
    expect(upperNormalTail(0)).toBeCloseTo(0.5, 6);
    expect(upperNormalTail(1.644854)).toBeCloseTo(0.05, 5);
    expect(upperNormalTail(-1.959964)).toBeCloseTo(0.975, 5);
  });
});

import { describe, expect, it } from "vitest";
import { histogramQuantile } from "./histogram-quantile.js";

const cumulative = (pairs: [number, number][]) => pairs.map(([le, count]) => ({ le, count }));

describe("histogramQuantile", () => {
  it("interpolates linearly inside the bucket holding the rank (hand-computed)", () => {
    // 100 observations; rank 95 falls in (0.05, 0.1] which holds observations 91..100:
    // 0.05 + (0.1 - 0.05) * (95 - 90) / 10 = 0.075
    const buckets = cumulative([
      [0.01, 10],
      [0.025, 50],
      [0.05, 90],
      [0.1, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.075, 12);
    // rank 50 is exactly the top of (0.01, 0.025]
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.025, 12);
  });

  it("starts the first bucket at zero", () => {
    expect(
      histogramQuantile(
        0.95,
        cumulative([
          [0.005, 40],
          [Infinity, 40],
        ]),
      ),
    ).toBeCloseTo(0.00475, 12);
  });

  it("answers the highest finite bound when the rank is in the +Inf bucket", () => {
    expect(
      histogramQuantile(
        0.95,
        cumulative([
          [0.1, 10],
          [1, 50],
          [Infinity, 100],
        ]),
      ),
    ).toBe(1);
  });

  it("sorts buckets and repairs non-monotonic counts", () => {
    const shuffled = cumulative([
      [Infinity, 100],
      [0.05, 90],
      [0.1, 89],
      [0.01, 10],
    ]);
    // (0.05, 0.1] is repaired to 90, so rank 95 lands in +Inf and answers 0.1
    expect(histogramQuantile(0.95, shuffled)).toBe(0.1);
  });

  it("is null without observations, without a +Inf bucket, or for a bad q", () => {
    expect(histogramQuantile(0.95, [])).toBeNull();
    expect(
      histogramQuantile(
        0.95,
        cumulative([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNull();
    expect(
      histogramQuantile(
        0.95,
        cumulative([
          [0.1, 3],
          [1, 5],
        ]),
      ),
    ).toBeNull();
    expect(histogramQuantile(0.95, cumulative([[Infinity, 5]]))).toBeNull();
    expect(
      histogramQuantile(
        1.5,
        cumulative([
          [0.1, 3],
          [Infinity, 5],
        ]),
      ),
    ).toBeNull();
  });
});

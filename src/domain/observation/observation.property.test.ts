import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogramQuantile } from "./histogram-quantile.js";
import { judge } from "./judge.js";
import { BOUNDS, sampleOf } from "./observation.test-support.js";
import { windowSummary } from "./window-summary.js";

const perBucket = fc.array(fc.nat({ max: 1_000 }), {
  minLength: BOUNDS.length,
  maxLength: BOUNDS.length,
});

/** Two samples of one process, or of two processes when `last` is smaller (a restart). */
const samplePair = fc
  .record({
    t0: fc.nat({ max: 1e9 }),
    dt: fc.nat({ max: 600_000 }),
    r0: fc.nat({ max: 1e6 }),
    e0: fc.nat({ max: 1e6 }),
    r1: fc.nat({ max: 1e6 }),
    e1: fc.nat({ max: 1e6 }),
    b0: perBucket,
    b1: perBucket,
  })
  .map(({ t0, dt, r0, e0, r1, e1, b0, b1 }) => ({
    first: sampleOf(t0, r0, Math.min(e0, r0), b0),
    last: sampleOf(t0 + dt, r1, Math.min(e1, r1), b1),
  }));

describe("observation properties", () => {
  it("the error rate is null or within [0, 1], and counts are never negative", () => {
    fc.assert(
      fc.property(samplePair, ({ first, last }) => {
        const summary = windowSummary(first, last);
        expect(summary.requests).toBeGreaterThanOrEqual(0);
        expect(summary.errors).toBeGreaterThanOrEqual(0);
        expect(summary.errors).toBeLessThanOrEqual(summary.requests);
        expect(summary.throughputRps).toBeGreaterThanOrEqual(0);
        if (summary.errorRate !== null) {
          expect(summary.errorRate).toBeGreaterThanOrEqual(0);
          expect(summary.errorRate).toBeLessThanOrEqual(1);
        } else {
          expect(summary.requests).toBe(0);
        }
      }),
    );
  });

  it("p95 never decreases when observations shift to slower buckets", () => {
    fc.assert(
      fc.property(
        perBucket.filter((counts) => counts.some((n) => n > 0)),
        fc.nat({ max: BOUNDS.length - 2 }),
        fc.nat({ max: 1_000 }),
        (counts, from, moved) => {
          const n = Math.min(moved, counts[from] ?? 0);
          const shifted = [...counts];
          shifted[from] = (shifted[from] ?? 0) - n;
          shifted[from + 1] = (shifted[from + 1] ?? 0) + n;
          const before = histogramQuantile(0.95, sampleOf(0, 0, 0, counts).latencyBuckets);
          const after = histogramQuantile(0.95, sampleOf(0, 0, 0, shifted).latencyBuckets);
          expect(before).not.toBeNull();
          expect(after as number).toBeGreaterThanOrEqual((before as number) - 1e-12);
        },
      ),
    );
  });

  it("p95 lies within the histogram's finite bounds", () => {
    fc.assert(
      fc.property(
        perBucket.filter((counts) => counts.some((n) => n > 0)),
        (counts) => {
          const p95 = histogramQuantile(0.95, sampleOf(0, 0, 0, counts).latencyBuckets) as number;
          expect(p95).toBeGreaterThanOrEqual(0);
          expect(p95).toBeLessThanOrEqual(5);
        },
      ),
    );
  });

  it("a window judged against itself is never failed or degraded", () => {
    fc.assert(
      fc.property(samplePair, ({ first, last }) => {
        const summary = windowSummary(first, last);
        const verdict = judge(summary, summary, { consecutiveFailures: 0 });
        expect(["healthy", "inconclusive"]).toContain(verdict.status);
        expect(verdict.severity).toBeNull();
      }),
    );
  });
});

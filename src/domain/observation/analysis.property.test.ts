import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_OPTIONS as OPTIONS } from "./analysis-options.js";
import { type AnalysisState, analyzeWindow, initialAnalysisState } from "./analyze-window.js";
import { mannWhitney } from "./mann-whitney.js";
import { DEFAULT_METRIC_DEFINITIONS as DEFS } from "./metric-definition.js";
import type { MetricPoint, MetricSeries } from "./metric-series.js";
import type { Verdict } from "./verdict.js";

const T0 = 1_767_225_600_000;
const SEED = { seed: 20_260_101, numRuns: 200 };

interface Interval {
  readonly errorRate: number;
  readonly p95: number;
  readonly requests: number;
}

function series(intervals: readonly Interval[], start: number): MetricSeries {
  const at = (i: number) => start + (i + 1) * 5_000;
  const pick = (f: (x: Interval) => number | null, traffic: boolean): MetricPoint[] =>
    intervals.map((x, i) => ({ at: at(i), value: f(x), traffic: traffic ? x.requests : null }));
  return {
    errorRate: pick((x) => x.errorRate, true),
    latencyP95: pick((x) => x.p95, true),
    throughput: pick((x) => x.requests / 5, true),
    ready: pick(() => 1, false),
  };
}

/** Every verdict, interval by interval, as watch produces them. */
function verdicts(baseline: readonly Interval[], current: readonly Interval[]): Verdict[] {
  const base = series(baseline, T0 - baseline.length * 5_000);
  const cur = series(current, T0);
  let state: AnalysisState = initialAnalysisState(T0);
  return current.map((_, k) => {
    const upTo = Object.fromEntries(Object.entries(cur).map(([m, p]) => [m, p.slice(0, k + 1)]));
    const out = analyzeWindow(DEFS, base, upTo, state, OPTIONS);
    state = out.state;
    return out.verdict;
  });
}

const interval = (
  errors: fc.Arbitrary<number>,
  p95: fc.Arbitrary<number>,
  requests: fc.Arbitrary<number>,
) => fc.record({ errorRate: errors, p95, requests });

describe("analysis properties", () => {
  it("a current window identical to the baseline never fails", () => {
    fc.assert(
      fc.property(
        fc.array(
          interval(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 1, max: 2_000, noNaN: true }),
            fc.integer({ min: 0, max: 5_000 }),
          ),
          { minLength: 0, maxLength: 40 },
        ),
        (baseline) => {
          // Identical distribution: the same intervals in the same order; the baseline's own
          // excursions are part of what it is, so only a level shift beyond it may fail.
          const steady = baseline.map((x) => ({
            ...x,
            errorRate: baseline[0]?.errorRate ?? 0,
            p95: baseline[0]?.p95 ?? 20,
          }));
          for (const v of verdicts(steady, steady)) expect(v.status).not.toBe("failed");
        },
      ),
      SEED,
    );
  });

  it("the rank test never confirms a sample against a permutation of itself", () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 80 })
          .chain((xs) =>
            fc.tuple(
              fc.constant(xs),
              fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }),
            ),
          ),
        ([xs, ys]) => {
          const test = mannWhitney(xs, ys, "greater");
          expect(test.cliffsDelta).toBeCloseTo(0, 9);
          expect(test.pValue).toBeGreaterThanOrEqual(0.4);
        },
      ),
      SEED,
    );
  });

  it("a large error shift always fails at the consecutive limit, never before", () => {
    fc.assert(
      fc.property(
        fc.array(
          interval(
            fc.double({ min: 0, max: 0.02, noNaN: true }),
            fc.double({ min: 10, max: 30, noNaN: true }),
            fc.integer({ min: 20, max: 5_000 }),
          ),
          { minLength: 0, maxLength: 60 },
        ),
        fc.array(
          interval(
            fc.double({ min: 0.3, max: 1, noNaN: true }),
            fc.double({ min: 10, max: 30, noNaN: true }),
            fc.integer({ min: 20, max: 5_000 }),
          ),
          { minLength: OPTIONS.consecutiveFailures, maxLength: 8 },
        ),
        (baseline, current) => {
          const statuses = verdicts(baseline, current).map((v) => v.status);
          const limit = OPTIONS.consecutiveFailures;
          expect(statuses.slice(0, limit - 1)).not.toContain("failed");
          expect(statuses.slice(limit - 1).every((s) => s === "failed")).toBe(true);
        },
      ),
      SEED,
    );
  });

  it("below the traffic floor a window is inconclusive, never failed", () => {
    fc.assert(
      fc.property(
        fc.array(
          interval(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 1, max: 2_000, noNaN: true }),
            fc.integer({ min: 0, max: 5_000 }),
          ),
          { maxLength: 30 },
        ),
        fc.array(
          interval(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 1, max: 5_000, noNaN: true }),
            fc.integer({ min: 0, max: OPTIONS.minTraffic - 1 }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (baseline, current) => {
          for (const v of verdicts(baseline, current)) expect(v.status).toBe("inconclusive");
        },
      ),
      SEED,
    );
  });
});

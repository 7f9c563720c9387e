import { describe, expect, it } from "vitest";
import { sampleOf } from "./observation.test-support.js";
import { windowSummary } from "./window-summary.js";

describe("windowSummary", () => {
  it("derives requests, errors, rate, p95 and throughput from counter deltas", () => {
    const first = sampleOf(1_000, 1_000, 10, [0, 0, 500, 400, 100]);
    // +100 requests in 10 s: 10 in (0.005,0.01], 40 in (0.01,0.025], 40 in (0.025,0.05], 10 in (0.05,0.1]
    const last = sampleOf(11_000, 1_100, 15, [0, 10, 540, 440, 110]);
    const summary = windowSummary(first, last);
    expect(summary).toMatchObject({
      from: 1_000,
      to: 11_000,
      durationMs: 10_000,
      requests: 100,
      errors: 5,
      errorRate: 0.05,
      throughputRps: 10,
      counterReset: false,
    });
    // rank 95 in (0.05, 0.1] holding 91..100: 50 + 50 * 5/10 = 75 ms
    expect(summary.p95Ms).toBeCloseTo(75, 9);
  });

  it("takes the last sample as the increase after a counter reset (process restart)", () => {
    const first = sampleOf(0, 5_000, 100, [0, 0, 5_000]);
    const last = sampleOf(5_000, 40, 8, [0, 0, 20, 20]);
    const summary = windowSummary(first, last);
    expect(summary).toMatchObject({ requests: 40, errors: 8, errorRate: 0.2, counterReset: true });
    expect(summary.throughputRps).toBe(8);
    // rank 38 of 40 in (0.025, 0.05] holding 21..40: 25 + 25 * 18/20 = 47.5 ms
    expect(summary.p95Ms).toBeCloseTo(47.5, 9);
  });

  it("detects a reset from a histogram bucket going backwards even if requests grew", () => {
    const first = sampleOf(0, 100, 0, [100]);
    const last = sampleOf(1_000, 150, 0, [0, 0, 150]);
    expect(windowSummary(first, last)).toMatchObject({ counterReset: true, requests: 150 });
  });

  it("counts a histogram that first appears in the window from zero", () => {
    const first = { at: 0, requests: 0, errors: 0, latencyBuckets: [] };
    const last = sampleOf(2_000, 20, 0, [20]);
    expect(windowSummary(first, last)).toMatchObject({ counterReset: false, requests: 20 });
    expect(windowSummary(first, last).p95Ms).toBeCloseTo(4.75, 9);
  });

  it("reports an empty window as no rate and no p95", () => {
    const sample = sampleOf(1_000, 42, 1, [42]);
    expect(windowSummary(sample, sample)).toEqual({
      from: 1_000,
      to: 1_000,
      durationMs: 0,
      requests: 0,
      errors: 0,
      errorRate: null,
      p95Ms: null,
      throughputRps: 0,
      counterReset: false,
    });
  });
});

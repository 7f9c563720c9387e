import type { MetricsSample } from "./metrics-sample.js";
import type { WindowSummary } from "./window-summary.js";

export const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Infinity];

/** A sample whose histogram has `perBucket[i]` observations in bucket i (not cumulative). */
export function sampleOf(
  at: number,
  requests: number,
  errors: number,
  perBucket: readonly number[],
): MetricsSample {
  let running = 0;
  const latencyBuckets = BOUNDS.map((le, i) => {
    running += perBucket[i] ?? 0;
    return { le, count: running };
  });
  return { at, requests, errors, latencyBuckets };
}

/** A window summary with sensible defaults: 600 requests over 60 s, no errors, p95 20 ms. */
export function summaryOf(overrides: Partial<WindowSummary> = {}): WindowSummary {
  const base: WindowSummary = {
    from: 0,
    to: 60_000,
    durationMs: 60_000,
    requests: 600,
    errors: 0,
    errorRate: 0,
    p95Ms: 20,
    throughputRps: 10,
    counterReset: false,
  };
  const merged = { ...base, ...overrides };
  if (overrides.errorRate === undefined && overrides.errors !== undefined) {
    return { ...merged, errorRate: merged.requests > 0 ? merged.errors / merged.requests : null };
  }
  return merged;
}

import { histogramQuantile } from "./histogram-quantile.js";
import type { LatencyBucket, MetricsSample } from "./metrics-sample.js";

/** What a service did between two samples. */
export interface WindowSummary {
  /** Epoch milliseconds of the first and last sample. */
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests in [0, 1]; null when the window served no requests. */
  readonly errorRate: number | null;
  /** 95th percentile latency in milliseconds; null when the window observed no durations. */
  readonly p95Ms: number | null;
  /** requests per second over the window; 0 for an empty window. */
  readonly throughputRps: number;
  /** True when a counter went backwards (the process restarted) and `last` was taken as the delta. */
  readonly counterReset: boolean;
}

/**
 * Summarizes the window between two cumulative samples from counter deltas. A counter that went
 * backwards means the process restarted, so — as PromQL's `increase` — the last sample's value is
 * the increase; one reset applies to all counters, since they come from one process.
 */
export function windowSummary(first: MetricsSample, last: MetricsSample): WindowSummary {
  const counterReset = isReset(first, last);
  const requests = counterReset ? last.requests : last.requests - first.requests;
  const rawErrors = counterReset ? last.errors : last.errors - first.errors;
  const errors = Math.min(Math.max(rawErrors, 0), Math.max(requests, 0));
  const buckets = counterReset ? last.latencyBuckets : bucketDeltas(first, last);
  const p95Seconds = histogramQuantile(0.95, buckets);
  const durationMs = last.at - first.at;
  return {
    from: first.at,
    to: last.at,
    durationMs,
    requests: Math.max(requests, 0),
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    p95Ms: p95Seconds === null ? null : p95Seconds * 1000,
    throughputRps: durationMs > 0 && requests > 0 ? requests / (durationMs / 1000) : 0,
    counterReset,
  };
}

function isReset(first: MetricsSample, last: MetricsSample): boolean {
  if (last.requests < first.requests || last.errors < first.errors) return true;
  if (first.latencyBuckets.length === 0) return false;
  // A different bucket layout means a different process (release) wrote the histogram.
  if (first.latencyBuckets.length !== last.latencyBuckets.length) return true;
  const before = new Map(first.latencyBuckets.map((bucket) => [bucket.le, bucket.count]));
  return last.latencyBuckets.some((bucket) => {
    const previous = before.get(bucket.le);
    return previous === undefined || bucket.count < previous;
  });
}

function bucketDeltas(first: MetricsSample, last: MetricsSample): LatencyBucket[] {
  const before = new Map(first.latencyBuckets.map((bucket) => [bucket.le, bucket.count]));
  return last.latencyBuckets.map(({ le, count }) => ({ le, count: count - (before.get(le) ?? 0) }));
}

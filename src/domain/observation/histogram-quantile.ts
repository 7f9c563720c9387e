import type { LatencyBucket } from "./metrics-sample.js";

/**
 * The q-quantile of a cumulative histogram, as PromQL's `histogram_quantile`: find the bucket
 * holding rank q·total and interpolate linearly inside it (the first bucket starts at 0). A rank in
 * the +Inf bucket yields the highest finite bound. Returns null when there are no observations or
 * no +Inf bucket with a finite bound below it.
 */
export function histogramQuantile(q: number, buckets: readonly LatencyBucket[]): number | null {
  if (Number.isNaN(q) || q < 0 || q > 1) return null;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted.at(-1);
  if (!last || last.le !== Number.POSITIVE_INFINITY || sorted.length < 2) return null;
  // Counts must be non-decreasing; fix jitter the way Prometheus does.
  let running = 0;
  const monotone = sorted.map(({ le, count }) => {
    running = Math.max(running, count);
    return { le, count: running };
  });
  const total = running;
  if (total <= 0) return null;
  const rank = q * total;
  let index = monotone.findIndex((bucket) => bucket.count >= rank);
  if (index === -1) index = monotone.length - 1;
  if (index === monotone.length - 1) return (monotone[index - 1] as LatencyBucket).le;
  const bucket = monotone[index] as LatencyBucket;
  if (index === 0 && bucket.le <= 0) return bucket.le;
  const below = index > 0 ? (monotone[index - 1] as LatencyBucket) : { le: 0, count: 0 };
  const inBucket = bucket.count - below.count;
  if (inBucket <= 0) return bucket.le;
  return below.le + (bucket.le - below.le) * ((rank - below.count) / inBucket);
}

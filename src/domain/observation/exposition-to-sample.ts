import type { MetricNames } from "./metric-names.js";
import type { LatencyBucket, MetricsSample } from "./metrics-sample.js";
import type { PrometheusExposition } from "./prometheus-text.js";

const SERVER_ERROR = /^5\d\d$/;

/**
 * Folds an exposition into one sample: requests = sum of the request counter over every label set,
 * errors = the same over `status=~"5.."`, latency buckets = `_bucket` counts summed per `le`
 * (sorted, +Inf last). A metric with no series yet counts as zero, as a fresh process reports.
 */
export function expositionToSample(
  exposition: PrometheusExposition,
  names: MetricNames,
  at: number,
): MetricsSample {
  let requests = 0;
  let errors = 0;
  const buckets = new Map<number, number>();
  const bucketName = `${names.durationHistogram}_bucket`;
  for (const sample of exposition.samples) {
    if (!Number.isFinite(sample.value)) continue;
    if (sample.name === names.requestsTotal) {
      requests += sample.value;
      if (SERVER_ERROR.test(sample.labels[names.statusLabel] ?? "")) errors += sample.value;
    } else if (sample.name === bucketName) {
      const le = parseBound(sample.labels.le);
      if (le === undefined) continue;
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    }
  }
  const latencyBuckets: LatencyBucket[] = [...buckets]
    .map(([le, count]) => ({ le, count }))
    .sort((a, b) => a.le - b.le);
  return { at, requests, errors, latencyBuckets };
}

/** Names the metrics the exposition lacks entirely (no series and no `# TYPE` line). */
export function missingMetrics(exposition: PrometheusExposition, names: MetricNames): string[] {
  const present = new Set([
    ...exposition.samples.map((sample) => sample.name),
    ...Object.keys(exposition.types),
  ]);
  const missing: string[] = [];
  if (!present.has(names.requestsTotal)) missing.push(names.requestsTotal);
  const histogram = names.durationHistogram;
  if (!present.has(histogram) && !present.has(`${histogram}_bucket`)) missing.push(histogram);
  return missing;
}

function parseBound(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  const value = Number(text);
  return text.trim() === "" || Number.isNaN(value) ? undefined : value;
}

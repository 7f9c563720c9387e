import type { MetricDefinition } from "./metric-definition.js";
import type { MetricPoint } from "./metric-series.js";

/** Summary statistics of one metric's interval values (the "ops summary" of a window). */
export interface SeriesStats {
  /** Intervals with a value. */
  readonly n: number;
  /** Requests behind those values, when the source tells. */
  readonly traffic: number | null;
  readonly min: number | null;
  readonly median: number | null;
  readonly mean: number | null;
  readonly p95: number | null;
  readonly max: number | null;
  readonly stdev: number | null;
  /**
   * The value thresholds compare against: the traffic-weighted mean for errorRate (the pooled
   * error rate, errors / requests — a median of mostly-zero intervals would hide a steady low
   * rate), the median for every other metric (robust to a blip inside the baseline).
   */
  readonly reference: number | null;
}

/** Summarizes the points that have a value. Pure. */
export function seriesStats(
  points: readonly MetricPoint[],
  definition: Pick<MetricDefinition, "kind">,
): SeriesStats {
  const valued = points.filter((p): p is MetricPoint & { value: number } => p.value !== null);
  const values = valued.map((p) => p.value).sort((a, b) => a - b);
  const trafficKnown = valued.length > 0 && valued.every((p) => p.traffic !== null);
  const traffic = trafficKnown ? valued.reduce((sum, p) => sum + (p.traffic as number), 0) : null;
  const n = values.length;
  if (n === 0) {
    return {
      n,
      traffic,
      min: null,
      median: null,
      mean: null,
      p95: null,
      max: null,
      stdev: null,
      reference: null,
    };
  }
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const median = quantile(values, 0.5);
  let reference = median;
  if (definition.kind === "errorRate" && traffic !== null && traffic > 0) {
    reference = valued.reduce((sum, p) => sum + p.value * (p.traffic as number), 0) / traffic;
  }
  return {
    n,
    traffic,
    min: values[0] as number,
    median,
    mean,
    p95: quantile(values, 0.95),
    max: values[n - 1] as number,
    stdev: Math.sqrt(variance),
    reference,
  };
}

/** Linear-interpolation quantile (type 7) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (h - lo);
}

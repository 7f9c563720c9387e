import type { MetricPoint, MetricSeries } from "./metric-series.js";

/** Builds a series of `n` intervals of `stepMs`, ending at `start + n·step`, from value/traffic functions. */
export function seriesOf(
  n: number,
  start: number,
  stepMs: number,
  metrics: Record<string, (i: number) => { value: number | null; traffic: number | null }>,
): MetricSeries {
  const out: Record<string, MetricPoint[]> = {};
  for (const [name, fn] of Object.entries(metrics)) {
    out[name] = Array.from({ length: n }, (_, i) => ({ at: start + (i + 1) * stepMs, ...fn(i) }));
  }
  return out;
}

/** The four built-ins of a steady service: error rate, p95 (ms), throughput (rps), ready. */
export function serviceSeries(
  n: number,
  start: number,
  f: (i: number) => { errorRate: number; p95: number; requests: number; ready?: boolean },
): MetricSeries {
  return seriesOf(n, start, 5_000, {
    errorRate: (i) => ({ value: f(i).errorRate, traffic: f(i).requests }),
    latencyP95: (i) => ({ value: f(i).p95, traffic: f(i).requests }),
    throughput: (i) => ({ value: f(i).requests / 5, traffic: f(i).requests }),
    ready: (i) => ({ value: f(i).ready === false ? 0 : 1, traffic: null }),
  });
}

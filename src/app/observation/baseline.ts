import type { JsonObject } from "../../domain/model/json.js";
import { metricBaseline } from "../../domain/observation/analyze-window.js";
import type { IntervalMeasurement, MetricSeries } from "../../domain/observation/metric-series.js";
import { toSeries } from "../../domain/observation/metric-series.js";
import type { ObservationSetup } from "../../domain/observation/observation-setup.js";
import type { SeriesStats } from "../../domain/observation/summary-stats.js";

/** The "ops summary" before a change: every metric's interval values and their statistics. */
export interface Baseline {
  readonly id: string;
  readonly env: string;
  /** ISO time the capture finished. */
  readonly capturedAt: string;
  readonly version: string | null;
  /** `scrape` / `prometheus`; `none` without a metrics source. */
  readonly source: string;
  /** From history (a Prometheus range query) or sampled live, interval by interval. */
  readonly method: "history" | "sampled";
  readonly from: number;
  readonly to: number;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly metrics: readonly BaselineMetric[];
  readonly intervals: readonly IntervalMeasurement[];
}

export interface BaselineMetric {
  readonly name: string;
  readonly unit: string;
  readonly direction: string;
  /** The statistics of the usable intervals (enough traffic): what thresholds and tests use. */
  readonly stats: SeriesStats;
}

/** Summarizes captured intervals per metric. Pure. */
export function summarizeBaseline(
  setup: ObservationSetup,
  intervals: readonly IntervalMeasurement[],
): readonly BaselineMetric[] {
  const series = toSeries(intervals);
  return setup.definitions.map((d) => ({
    name: d.name,
    unit: d.unit,
    direction: d.direction,
    stats: metricBaseline(d, series[d.name] ?? [], setup.analysis).stats,
  }));
}

/** The baseline's intervals as series, for the analysis. */
export function baselineSeries(baseline: Pick<Baseline, "intervals"> | null): MetricSeries {
  return baseline ? toSeries(baseline.intervals) : {};
}

export function baselineDocument(baseline: Baseline): JsonObject {
  return JSON.parse(JSON.stringify(baseline)) as JsonObject;
}

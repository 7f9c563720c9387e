import type { MetricDefinition } from "../domain/observation/metric-definition.js";
import type { IntervalMeasurement } from "../domain/observation/metric-series.js";

export type { MetricDefinition } from "../domain/observation/metric-definition.js";
export type { IntervalMeasurement } from "../domain/observation/metric-series.js";
export type { LatencyBucket, MetricsSample } from "../domain/observation/metrics-sample.js";

/** Measures the metrics since the previous call: one interval per `next()`. */
export interface MetricsCursor {
  next(): Promise<IntervalMeasurement>;
}

/**
 * Reads the service's metrics, per interval: each defined metric's value and the requests behind
 * it. `scrape` reads the service's /metrics endpoint directly; `prometheus` queries a Prometheus
 * server. `ready` is not a source's: the app measures it with the health probe.
 */
export interface MetricsSource {
  /** `scrape`, `prometheus`: named in evidence and in the baseline record. */
  readonly kind: string;
  /** Whether `past` can read intervals that already happened (a Prometheus server keeps them). */
  readonly history: boolean;
  /** Starts measuring now; the first `next()` covers the time since `start`. */
  start(definitions: readonly MetricDefinition[]): Promise<MetricsCursor>;
  /**
   * The intervals of [from, to] in steps of `stepMs` (each ending at from + k·step), from history;
   * `unsupported` when the source keeps none (scrape).
   */
  past(
    definitions: readonly MetricDefinition[],
    range: { readonly from: number; readonly to: number; readonly stepMs: number },
  ): Promise<readonly IntervalMeasurement[] | "unsupported">;
}

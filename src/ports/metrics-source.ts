import type { MetricsSample } from "../domain/observation/metrics-sample.js";

export type { LatencyBucket, MetricsSample } from "../domain/observation/metrics-sample.js";

/** Reads the service's metrics. `scrape` reads its /metrics endpoint directly. */
export interface MetricsSource {
  sample(): Promise<MetricsSample>;
}

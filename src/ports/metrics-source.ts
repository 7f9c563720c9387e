/** Cumulative counters read from the service at one moment (Prometheus semantics). */
export interface MetricsSample {
  /** Milliseconds since the epoch when the sample was taken. */
  readonly at: number;
  /** Total requests served (counter). */
  readonly requests: number;
  /** Total requests that failed with a 5xx status (counter). */
  readonly errors: number;
  /** Request-duration histogram: cumulative counts per upper bound in seconds (`le`), +Inf last. */
  readonly latencyBuckets: readonly { readonly le: number; readonly count: number }[];
}

/** Reads the service's metrics. `scrape` reads its /metrics endpoint directly. */
export interface MetricsSource {
  sample(): Promise<MetricsSample>;
}

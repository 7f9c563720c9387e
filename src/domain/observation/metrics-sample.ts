/**
 * Cumulative counters read from a service at one moment (Prometheus semantics). The
 * `MetricsSource` port returns this shape; the domain declares it so it imports nothing else.
 */
export interface MetricsSample {
  /** Milliseconds since the epoch when the sample was taken. */
  readonly at: number;
  /** Total requests served (counter). */
  readonly requests: number;
  /** Total requests that failed with a 5xx status (counter). */
  readonly errors: number;
  /** Request-duration histogram: cumulative counts per upper bound in seconds (`le`), +Inf last. */
  readonly latencyBuckets: readonly LatencyBucket[];
}

export interface LatencyBucket {
  /** Upper bound in seconds; `Infinity` for the +Inf bucket. */
  readonly le: number;
  /** Cumulative count of observations <= `le`. */
  readonly count: number;
}

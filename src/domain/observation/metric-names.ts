/** Which series of a Prometheus exposition hold the request counter and latency histogram. */
export interface MetricNames {
  /** Counter of served requests, labelled with the status code. */
  readonly requestsTotal: string;
  /** Label of `requestsTotal` holding the HTTP status code; values matching 5.. are errors. */
  readonly statusLabel: string;
  /** Histogram base name; its `<name>_bucket` series are summed per `le`. */
  readonly durationHistogram: string;
}

export const DEFAULT_METRIC_NAMES: MetricNames = {
  requestsTotal: "http_requests_total",
  statusLabel: "status",
  durationHistogram: "http_request_duration_seconds",
};

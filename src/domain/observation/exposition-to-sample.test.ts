import { describe, expect, it } from "vitest";
import { expositionToSample, missingMetrics } from "./exposition-to-sample.js";
import { DEFAULT_METRIC_NAMES } from "./metric-names.js";
import { parsePrometheusText } from "./prometheus-text.js";

const TEXT = `
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/work",status="200"} 90
http_requests_total{method="GET",route="/work",status="500"} 6
http_requests_total{method="POST",route="/orders",status="201"} 30
http_requests_total{method="POST",route="/orders",status="503"} 4
http_requests_total{method="GET",route="unmatched",status="404"} 2
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/work",le="0.01"} 10
http_request_duration_seconds_bucket{route="/work",le="0.1"} 90
http_request_duration_seconds_bucket{route="/work",le="+Inf"} 96
http_request_duration_seconds_sum{route="/work"} 4.2
http_request_duration_seconds_count{route="/work"} 96
http_request_duration_seconds_bucket{route="/orders",le="0.01"} 30
http_request_duration_seconds_bucket{route="/orders",le="0.1"} 34
http_request_duration_seconds_bucket{route="/orders",le="+Inf"} 34
other_total 5
`;

describe("expositionToSample", () => {
  it("sums requests over all label sets, errors over 5xx, buckets per le", () => {
    const sample = expositionToSample(parsePrometheusText(TEXT), DEFAULT_METRIC_NAMES, 123);
    expect(sample).toEqual({
      at: 123,
      requests: 132,
      errors: 10,
      latencyBuckets: [
        { le: 0.01, count: 40 },
        { le: 0.1, count: 124 },
        { le: Infinity, count: 130 },
      ],
    });
  });

  it("follows configured names and status label", () => {
    const text = 'reqs{code="502"} 3\nreqs{code="200"} 7\nlat_bucket{le="+Inf"} 10\n';
    const names = { requestsTotal: "reqs", statusLabel: "code", durationHistogram: "lat" };
    expect(expositionToSample(parsePrometheusText(text), names, 0)).toMatchObject({
      requests: 10,
      errors: 3,
      latencyBuckets: [{ le: Infinity, count: 10 }],
    });
  });

  it("treats a declared metric without series as zero and names absent metrics", () => {
    const declared = parsePrometheusText(
      "# TYPE http_requests_total counter\n# TYPE http_request_duration_seconds histogram\n",
    );
    expect(missingMetrics(declared, DEFAULT_METRIC_NAMES)).toEqual([]);
    expect(expositionToSample(declared, DEFAULT_METRIC_NAMES, 0)).toEqual({
      at: 0,
      requests: 0,
      errors: 0,
      latencyBuckets: [],
    });
    expect(missingMetrics(parsePrometheusText("up 1\n"), DEFAULT_METRIC_NAMES)).toEqual([
      "http_requests_total",
      "http_request_duration_seconds",
    ]);
  });
});

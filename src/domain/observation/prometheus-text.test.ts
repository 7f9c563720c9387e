import { describe, expect, it } from "vitest";
import { ShipsafeError } from "../errors.js";
import { parsePrometheusText } from "./prometheus-text.js";

describe("parsePrometheusText", () => {
  it("reads a client library's exposition with HELP, TYPE, labels and a histogram", () => {
    const text = [
      "# HELP http_requests_total The total number of HTTP requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      "",
      "# A histogram, which has a pretty complex representation in the text format:",
      "# HELP http_request_duration_seconds A histogram of the request duration.",
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      "http_request_duration_seconds_sum 53423",
      "http_request_duration_seconds_count 144320",
    ].join("\n");
    const parsed = parsePrometheusText(text);
    expect(parsed.types).toEqual({
      http_requests_total: "counter",
      http_request_duration_seconds: "histogram",
    });
    expect(parsed.help.http_requests_total).toBe("The total number of HTTP requests.");
    expect(parsed.samples).toEqual([
      {
        name: "http_requests_total",
        labels: { method: "post", code: "200" },
        value: 1027,
        timestampMs: 1395066363000,
      },
      {
        name: "http_requests_total",
        labels: { method: "post", code: "400" },
        value: 3,
        timestampMs: 1395066363000,
      },
      { name: "http_request_duration_seconds_bucket", labels: { le: "0.05" }, value: 24054 },
      {
        name: "http_request_duration_seconds_bucket",
        labels: { le: "+Inf" },
        value: 144320,
      },
      { name: "http_request_duration_seconds_sum", labels: {}, value: 53423 },
      { name: "http_request_duration_seconds_count", labels: {}, value: 144320 },
    ]);
  });

  it("unescapes backslash, double quote and newline in label values and HELP", () => {
    const text = [
      "# HELP msdos_file_access_time_seconds Access time with \\\\ and \\n newline",
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'weird{a="x\\ty",b="{},= \\"}"} 1',
    ].join("\n");
    const parsed = parsePrometheusText(text);
    expect(parsed.help.msdos_file_access_time_seconds).toBe("Access time with \\ and \n newline");
    expect(parsed.samples[0]).toEqual({
      name: "msdos_file_access_time_seconds",
      labels: { path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"' },
      value: 1458255915,
    });
    // An unknown escape stays as written; braces, commas and = inside quotes are just text.
    expect(parsed.samples[1]?.labels).toEqual({ a: "x\\ty", b: '{},= "}' });
  });

  it("reads special values, signs, exponents, negative timestamps and a trailing comma", () => {
    const parsed = parsePrometheusText(
      [
        "a +Inf",
        "b -Inf",
        "c NaN",
        "d -1.5e-3 -100",
        'e{x="1",} .5',
        "f\t7\t42",
        "g inf",
        "h 1E+2",
        "metric_without_timestamp_and_labels 12.47",
        'something_weird{problem="division by zero"} +Inf -3982045',
      ].join("\r\n"),
    );
    const values = parsed.samples.map((s) => s.value);
    expect(values.slice(0, 2)).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(values[2])).toBe(true);
    expect(values.slice(3)).toEqual([-0.0015, 0.5, 7, Infinity, 100, 12.47, Infinity]);
    expect(parsed.samples[3]?.timestampMs).toBe(-100);
    expect(parsed.samples[4]?.labels).toEqual({ x: "1" });
    expect(parsed.samples[5]?.timestampMs).toBe(42);
    expect(parsed.samples[9]?.timestampMs).toBe(-3982045);
  });

  it("accepts quoted UTF-8 metric and label names", () => {
    const parsed = parsePrometheusText(
      ['# TYPE "my.requests" counter', '{"my.requests", "http.status"="500", le="1"} 4'].join("\n"),
    );
    expect(parsed.types["my.requests"]).toBe("counter");
    expect(parsed.samples).toEqual([
      { name: "my.requests", labels: { "http.status": "500", le: "1" }, value: 4 },
    ]);
  });

  it("ignores free comments, # EOF and blank lines", () => {
    const parsed = parsePrometheusText("# just words\n\n   \nup 1\n# EOF\n");
    expect(parsed.samples).toEqual([{ name: "up", labels: {}, value: 1 }]);
  });

  it.each([
    ["a value that is not a number", "up one"],
    ["a missing value", 'up{job="x"}'],
    ["an unterminated label value", 'up{job="x} 1'],
    ["an unquoted label value", "up{job=x} 1"],
    ["a missing comma", 'up{a="1" b="2"} 1'],
    ["a duplicate label", 'up{a="1",a="2"} 1'],
    ["a fractional timestamp", "up 1 1.5"],
    ["text after the timestamp", "up 1 2 3"],
    ["a bad metric name", "9up 1"],
    ["an unknown TYPE", "# TYPE up countr"],
    ["HTML instead of metrics", "<html><body>login</body></html>"],
  ])("rejects %s with METRICS_MALFORMED naming the line", (_what, line) => {
    const attempt = () => parsePrometheusText(`ok 1\n${line}\n`);
    expect(attempt).toThrow(ShipsafeError);
    expect(attempt).toThrow(/line 2/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: "METRICS_MALFORMED", kind: "runtime" });
    }
  });
});

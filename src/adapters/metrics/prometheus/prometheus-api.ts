import { ShipsafeError } from "../../../domain/errors.js";
import { describeFetchFailure } from "../describe-fetch-failure.js";

/** The subset of `fetch` this client uses; tests and wrappers may pass their own. */
export type FetchJson = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

/** One series of a query result: its labels and its (time s, value) pairs. */
export interface PromSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Seconds since the epoch and the value (NaN for Prometheus' "NaN"). */
  readonly points: readonly (readonly [number, number])[];
}

/** The Prometheus HTTP API calls the adapter needs (instant and range queries). */
export interface PrometheusApi {
  /** `GET /api/v1/query?query=&time=`: a vector or scalar, as series of one point each. */
  instant(query: string, timeMs: number): Promise<readonly PromSeries[]>;
  /** `GET /api/v1/query_range?query=&start=&end=&step=`: a matrix. */
  range(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): Promise<readonly PromSeries[]>;
}

interface ApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/**
 * A Prometheus HTTP API client over fetch, each call bounded by `timeoutMs`. Throws
 * METRICS_UNREACHABLE (server down, timeout, not Prometheus) and METRICS_QUERY_FAILED (the server
 * refused the query: its errorType and message, and the query).
 */
export function createPrometheusApi(options: {
  readonly url: string;
  readonly timeoutMs: number;
  readonly fetch?: FetchJson;
}): PrometheusApi {
  const base = options.url.replace(/\/+$/, "");
  const fetchJson: FetchJson = options.fetch ?? fetch;

  async function call(path: string, params: Record<string, string>): Promise<PromSeries[]> {
    const url = `${base}${path}?${new URLSearchParams(params).toString()}`;
    const where = `${base}${path}`;
    let status = 0;
    let text: string;
    try {
      const response = await fetchJson(url, {
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: { accept: "application/json" },
      });
      status = response.status;
      text = await response.text();
      if (!response.ok && !text.trimStart().startsWith("{")) {
        throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
      }
    } catch (cause) {
      throw unreachable(where, describeFetchFailure(cause, options.timeoutMs), cause);
    }
    let body: ApiBody;
    try {
      body = JSON.parse(text) as ApiBody;
    } catch (cause) {
      throw unreachable(
        where,
        `HTTP ${status}, not a Prometheus API answer: ${text.slice(0, 80)}`,
        cause,
      );
    }
    if (body.status !== "success") {
      const bad = body.errorType === "bad_data";
      throw new ShipsafeError({
        code: "METRICS_QUERY_FAILED",
        kind: bad ? "config" : "runtime",
        message: `Prometheus at ${base} refused ${JSON.stringify(params.query)}: ${body.errorType ?? `HTTP ${status}`}: ${body.error ?? "no error message"}`,
        hint: bad
          ? "fix the metric's query in shipsafe.yaml (PromQL; $window is replaced by the rate window)"
          : "check the Prometheus server's health and load, then try again",
      });
    }
    return toSeries(body.data?.resultType, body.data?.result);
  }

  return {
    instant: (query, timeMs) => call("/api/v1/query", { query, time: seconds(timeMs) }),
    range: (query, startMs, endMs, stepMs) =>
      call("/api/v1/query_range", {
        query,
        start: seconds(startMs),
        end: seconds(endMs),
        step: `${stepMs / 1000}s`,
      }),
  };
}

function toSeries(type: string | undefined, result: unknown): PromSeries[] {
  const num = (v: unknown): number => Number(v);
  if (type === "scalar" && Array.isArray(result)) {
    return [{ labels: {}, points: [[num(result[0]), num(result[1])]] }];
  }
  if (!Array.isArray(result)) return [];
  return result.map(
    (entry: { metric?: Record<string, string>; value?: unknown[]; values?: unknown[][] }) => ({
      labels: entry.metric ?? {},
      points: entry.values
        ? entry.values.map((p) => [num(p[0]), num(p[1])] as const)
        : entry.value
          ? [[num(entry.value[0]), num(entry.value[1])] as const]
          : [],
    }),
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function unreachable(where: string, why: string, cause: unknown): ShipsafeError {
  return new ShipsafeError(
    {
      code: "METRICS_UNREACHABLE",
      kind: "runtime",
      message: `cannot query Prometheus at ${where}: ${why}`,
      hint: "check that the Prometheus server runs and that metrics.url in shipsafe.yaml is its base URL (e.g. http://prometheus:9090)",
    },
    { cause },
  );
}

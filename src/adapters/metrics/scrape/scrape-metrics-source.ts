import { ShipsafeError } from "../../../domain/errors.js";
import {
  expositionToSample,
  missingMetrics,
} from "../../../domain/observation/exposition-to-sample.js";
import {
  DEFAULT_METRIC_NAMES,
  type MetricNames,
} from "../../../domain/observation/metric-names.js";
import {
  type PrometheusExposition,
  parsePrometheusText,
} from "../../../domain/observation/prometheus-text.js";
import { type Scrape, scrapeInterval } from "../../../domain/observation/scrape-interval.js";
import { parseScrapeQuery } from "../../../domain/observation/scrape-query.js";
import type {
  MetricDefinition,
  MetricsCursor,
  MetricsSample,
  MetricsSource,
} from "../../../ports/metrics-source.js";
import { describeFetchFailure } from "../describe-fetch-failure.js";

/** The subset of `fetch` this adapter uses; tests and wrappers may pass their own. */
export type FetchText = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

export interface ScrapeMetricsSourceOptions {
  /** The service's Prometheus text endpoint, e.g. http://127.0.0.1:8080/metrics. */
  readonly url: string;
  /** Bound on one scrape, connect to last byte. */
  readonly timeoutMs: number;
  /** Metric names; defaults to http_requests_total{status} and http_request_duration_seconds. */
  readonly names?: Partial<MetricNames>;
  readonly fetch?: FetchText;
  readonly now?: () => number;
}

const ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

/**
 * Reads the service's own /metrics endpoint: requests and 5xx errors summed over every label set,
 * latency buckets summed per `le`; per interval, the metrics from two consecutive scrapes
 * (`scrapeInterval`). It keeps no history (`past` is unsupported). Throws METRICS_UNREACHABLE (with the URL and cause) when the
 * endpoint cannot be read, METRICS_MALFORMED / METRICS_MISSING when it is not what we expect.
 */
export function createScrapeMetricsSource(options: ScrapeMetricsSourceOptions) {
  const names: MetricNames = { ...DEFAULT_METRIC_NAMES, ...options.names };
  const fetchText: FetchText = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const { url, timeoutMs } = options;

  async function read(): Promise<string> {
    let response: Awaited<ReturnType<FetchText>>;
    try {
      response = await fetchText(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: ACCEPT },
      });
      if (response.ok) return await response.text();
    } catch (cause) {
      throw new ShipsafeError(
        {
          code: "METRICS_UNREACHABLE",
          kind: "runtime",
          message: `cannot read metrics from ${url}: ${describeFetchFailure(cause, timeoutMs)}`,
          hint: "check that the service is running and that metrics.url in shipsafe.yaml is right",
        },
        { cause },
      );
    }
    throw new ShipsafeError({
      code: "METRICS_UNREACHABLE",
      kind: "runtime",
      message:
        `cannot read metrics from ${url}: HTTP ${response.status} ${response.statusText}`.trim(),
      hint: "check metrics.url in shipsafe.yaml: it must answer 200 with Prometheus text format",
    });
  }

  async function scrape(): Promise<Scrape> {
    const at = now();
    const exposition = parsePrometheusText(await read());
    requireMetrics(exposition);
    return { at, exposition };
  }

  function requireMetrics(exposition: PrometheusExposition): void {
    const missing = missingMetrics(exposition, names);
    if (missing.length === 0) return;
    const found = [...new Set(exposition.samples.map((sample) => sample.name))].slice(0, 10);
    throw new ShipsafeError({
      code: "METRICS_MISSING",
      kind: "runtime",
      message: `${url} exposes no ${missing.join(" or ")} (found: ${found.join(", ") || "nothing"})`,
      hint: "expose a request counter labelled with the status code and a request-duration histogram, or name yours in the metrics config",
    });
  }

  const source: MetricsSource & { sample(): Promise<MetricsSample> } = {
    kind: "scrape",
    history: false,
    /** One cumulative sample (the request counter, errors, latency histogram) at this moment. */
    async sample(): Promise<MetricsSample> {
      const { at, exposition } = await scrape();
      return expositionToSample(exposition, names, at);
    },
    async start(definitions: readonly MetricDefinition[]): Promise<MetricsCursor> {
      for (const d of definitions) if (d.kind === "custom") parseScrapeQuery(d.query ?? "", d.name);
      let previous = await scrape();
      return {
        async next() {
          const current = await scrape();
          const measured = scrapeInterval(definitions, names, previous, current);
          previous = current;
          return measured;
        },
      };
    },
    async past() {
      return "unsupported" as const;
    },
  };
  return source;
}

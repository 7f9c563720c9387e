import { ShipsafeError } from "../../../domain/errors.js";
import type { IntervalMeasurement } from "../../../domain/observation/metric-series.js";
import type {
  MetricDefinition,
  MetricsCursor,
  MetricsSource,
} from "../../../ports/metrics-source.js";
import { builtinQueries, customQuery } from "./builtin-queries.js";
import {
  createPrometheusApi,
  type FetchJson,
  type PrometheusApi,
  type PromSeries,
} from "./prometheus-api.js";

export interface PrometheusMetricsSourceOptions {
  /** The server's base URL, e.g. http://127.0.0.1:9090. */
  readonly url: string;
  readonly timeoutMs: number;
  /** Label matchers selecting the service's series, e.g. `job="orders"`. */
  readonly selector: string;
  /** The shortest range a rate or quantile is computed over (≥ 2 scrape intervals). */
  readonly rateWindowMs: number;
  readonly api?: PrometheusApi;
  readonly fetch?: FetchJson;
  readonly now?: () => number;
}

/**
 * Metrics from a Prometheus server: per interval, instant queries over the range
 * max(interval, rateWindow) ending now; the past from range queries (history: yes). Built-ins
 * map to PromQL over the standard names (builtinQueries); custom metrics are PromQL with
 * `$window` / `$selector`, and must answer one series (wrap them in sum() or max()).
 */
export function createPrometheusMetricsSource(
  options: PrometheusMetricsSourceOptions,
): MetricsSource {
  const api =
    options.api ??
    createPrometheusApi({
      url: options.url,
      timeoutMs: options.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  const now = options.now ?? Date.now;

  function rangeText(ms: number): string {
    return `${Math.max(1, Math.round(Math.max(ms, options.rateWindowMs) / 1000))}s`;
  }

  /** Each definition's value per evaluation time (ms), from one query per metric. */
  async function evaluate(
    definitions: readonly MetricDefinition[],
    spanMs: number,
    run: (query: string) => Promise<readonly PromSeries[]>,
  ): Promise<Map<number, IntervalMeasurement["values"]>> {
    const w = rangeText(spanMs);
    const q = builtinQueries(options.selector, w);
    const needsTraffic = definitions.length > 0;
    const [requests, errors, p95] = await Promise.all([
      needsTraffic ? run(q.requests) : Promise.resolve([]),
      definitions.some((d) => d.kind === "errorRate") ? run(q.errors) : Promise.resolve([]),
      definitions.some((d) => d.kind === "latencyP95") ? run(q.p95Seconds) : Promise.resolve([]),
    ]);
    const custom = await Promise.all(
      definitions
        .filter((d) => d.kind === "custom")
        .map(
          async (d) =>
            [
              d.name,
              oneSeries(d, await run(customQuery(d.query ?? "", options.selector, w))),
            ] as const,
        ),
    );
    const req = byTime(requests);
    const err = byTime(errors);
    const lat = byTime(p95);
    const times = new Set<number>([
      ...req.keys(),
      ...lat.keys(),
      ...custom.flatMap(([, m]) => [...m.keys()]),
    ]);
    const out = new Map<number, IntervalMeasurement["values"]>();
    const seconds = Math.max(spanMs, options.rateWindowMs) / 1000;
    for (const t of times) {
      const traffic = req.get(t) ?? 0;
      const values: Record<string, { value: number | null; traffic: number | null }> = {};
      for (const d of definitions) {
        if (d.kind === "errorRate") {
          values[d.name] = {
            value: traffic > 0 ? Math.min(1, Math.max(0, (err.get(t) ?? 0) / traffic)) : null,
            traffic,
          };
        } else if (d.kind === "latencyP95") {
          const s = lat.get(t);
          values[d.name] = { value: s === undefined ? null : s * 1000, traffic };
        } else if (d.kind === "throughput") {
          values[d.name] = { value: traffic / seconds, traffic };
        } else if (d.kind === "custom") {
          const m = custom.find(([name]) => name === d.name)?.[1];
          values[d.name] = { value: m?.get(t) ?? null, traffic };
        }
      }
      out.set(t, values);
    }
    return out;
  }

  return {
    kind: "prometheus",
    history: true,
    async start(definitions): Promise<MetricsCursor> {
      const measured = definitions.filter((d) => d.kind !== "ready");
      let from = now();
      // Fail early on an unreachable server or a refused query, as the scrape source does.
      await evaluate(measured, options.rateWindowMs, (query) => api.instant(query, from));
      return {
        async next() {
          const to = now();
          const values = await evaluate(measured, to - from, (query) => api.instant(query, to));
          const interval: IntervalMeasurement = {
            from,
            to,
            values: [...values.values()][0] ?? emptyValues(measured),
          };
          from = to;
          return interval;
        },
      };
    },
    async past(definitions, range) {
      const measured = definitions.filter((d) => d.kind !== "ready");
      const start = range.from + range.stepMs;
      if (start > range.to) return [];
      const byT = await evaluate(measured, range.stepMs, (query) =>
        api.range(query, start, range.to, range.stepMs),
      );
      const out: IntervalMeasurement[] = [];
      for (let t = start; t <= range.to; t += range.stepMs) {
        const key = Math.round(t);
        out.push({ from: t - range.stepMs, to: t, values: byT.get(key) ?? emptyValues(measured) });
      }
      return out;
    },
  };
}

function emptyValues(definitions: readonly MetricDefinition[]): IntervalMeasurement["values"] {
  return Object.fromEntries(definitions.map((d) => [d.name, { value: null, traffic: null }]));
}

/** Values by evaluation time in ms (one series; NaN — no observations — is left out). */
function byTime(series: readonly PromSeries[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (Number.isFinite(v))
        out.set(Math.round(t * 1000), (out.get(Math.round(t * 1000)) ?? 0) + v);
    }
  }
  return out;
}

function oneSeries(d: MetricDefinition, series: readonly PromSeries[]): Map<number, number> {
  if (series.length > 1) {
    throw new ShipsafeError({
      code: "METRICS_QUERY_SHAPE",
      kind: "config",
      message: `metric ${d.name}: its query answers ${series.length} series (e.g. ${JSON.stringify(series[0]?.labels)}), one is needed`,
      hint: "aggregate it to one value, e.g. sum(...) or max(...) (docs/config.md#metrics)",
    });
  }
  return byTime(series);
}

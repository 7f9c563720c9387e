import { expositionToSample } from "./exposition-to-sample.js";
import type { MetricDefinition } from "./metric-definition.js";
import type { MetricNames } from "./metric-names.js";
import type { IntervalMeasurement } from "./metric-series.js";
import type { PrometheusExposition, PrometheusSample } from "./prometheus-text.js";
import { matchesQuery, parseScrapeQuery } from "./scrape-query.js";
import { windowSummary } from "./window-summary.js";

/** One scrape of the service's endpoint and when it was taken. */
export interface Scrape {
  readonly at: number;
  readonly exposition: PrometheusExposition;
}

/**
 * The metrics of the interval between two scrapes of one endpoint: the built-ins from the request
 * counter and duration histogram (windowSummary: counter deltas, a restart read as a reset), the
 * custom scrape queries from their matching series (a counter reset per series: the later value
 * is the increase). `ready` is not the endpoint's: the caller fills it from the health probe. Pure.
 */
export function scrapeInterval(
  definitions: readonly MetricDefinition[],
  names: MetricNames,
  first: Scrape,
  last: Scrape,
): IntervalMeasurement {
  const summary = windowSummary(
    expositionToSample(first.exposition, names, first.at),
    expositionToSample(last.exposition, names, last.at),
  );
  const traffic = summary.requests;
  const seconds = (last.at - first.at) / 1000;
  const values: Record<string, { value: number | null; traffic: number | null }> = {};
  for (const d of definitions) {
    switch (d.kind) {
      case "errorRate":
        values[d.name] = { value: summary.errorRate, traffic };
        break;
      case "latencyP95":
        values[d.name] = { value: summary.p95Ms, traffic };
        break;
      case "throughput":
        values[d.name] = { value: seconds > 0 ? summary.throughputRps : null, traffic };
        break;
      case "ready":
        break;
      case "custom": {
        const q = parseScrapeQuery(d.query ?? "", d.name);
        const now = last.exposition.samples.filter(
          (s) => matchesQuery(s, q) && Number.isFinite(s.value),
        );
        if (q.fn === "gauge") {
          values[d.name] = { value: now.length > 0 ? sum(now) : null, traffic };
          break;
        }
        const before = new Map(
          first.exposition.samples
            .filter((s) => matchesQuery(s, q))
            .map((s) => [seriesKey(s), s.value]),
        );
        const increase = now.reduce((total, s) => {
          const prev = before.get(seriesKey(s));
          return total + (prev === undefined || s.value < prev ? s.value : s.value - prev);
        }, 0);
        const known =
          now.length > 0 || hasType(first.exposition, q.name) || hasType(last.exposition, q.name);
        const value = !known
          ? null
          : q.fn === "increase"
            ? increase
            : seconds > 0
              ? increase / seconds
              : null;
        values[d.name] = { value, traffic };
        break;
      }
    }
  }
  return { from: first.at, to: last.at, values, counterReset: summary.counterReset };
}

function sum(samples: readonly PrometheusSample[]): number {
  return samples.reduce((total, s) => total + s.value, 0);
}

function seriesKey(s: PrometheusSample): string {
  return JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** A counter declared but without series yet counts as zero, as a fresh process reports. */
function hasType(exposition: PrometheusExposition, name: string): boolean {
  return (
    exposition.types[name] !== undefined ||
    exposition.types[name.replace(/_total$/, "")] !== undefined
  );
}

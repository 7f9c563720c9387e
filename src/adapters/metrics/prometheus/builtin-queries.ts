import {
  DEFAULT_METRIC_NAMES,
  type MetricNames,
} from "../../../domain/observation/metric-names.js";

/**
 * The PromQL behind the built-ins over a range `w` (docs/observation.md#the-prometheus-source):
 * requests and 5xx errors from the request counter's increase, p95 from the duration histogram's
 * bucket increases. errorRate = errors / requests and throughput = requests / w are computed from
 * them, so every built-in carries its traffic.
 */
export function builtinQueries(
  selector: string,
  w: string,
  names: MetricNames = DEFAULT_METRIC_NAMES,
) {
  const sel = selector.trim();
  const join = (extra: string) => `{${[sel, extra].filter((s) => s.length > 0).join(",")}}`;
  return {
    requests: `sum(increase(${names.requestsTotal}${join("")}[${w}]))`,
    errors: `sum(increase(${names.requestsTotal}${join(`${names.statusLabel}=~"5.."`)}[${w}]))`,
    p95Seconds: `histogram_quantile(0.95, sum by (le) (increase(${names.durationHistogram}_bucket${join("")}[${w}])))`,
  };
}

/** A custom query with `$window` (the range, e.g. 30s) and `$selector` (the label matchers) filled. */
export function customQuery(query: string, selector: string, w: string): string {
  return query.replaceAll("$window", w).replaceAll("$selector", selector.trim());
}

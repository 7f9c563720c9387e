import { ShipsafeError } from "../errors.js";
import type { PrometheusSample } from "./prometheus-text.js";

/** A label matcher as PromQL writes it: `=`, `!=`, `=~`, `!~` (regexes anchored, as PromQL's). */
export interface LabelMatcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

/**
 * A custom metric for the `scrape` source: `rate(name{..})` (a counter's increase per second over
 * the interval), `increase(name{..})` (its increase over the interval) or `name{..}` (a gauge: the
 * sum of the matching series at the interval's end). Matching series are summed.
 */
export interface ScrapeQuery {
  readonly fn: "rate" | "increase" | "gauge";
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

const QUERY = /^\s*(?:(rate|increase)\s*\(\s*(.*?)\s*\)|(.*?))\s*$/s;
const SELECTOR = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?$/s;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/;

/** Parses a scrape query; throws METRICS_QUERY_INVALID (a config error) saying what is wrong. */
export function parseScrapeQuery(query: string, metric: string): ScrapeQuery {
  const outer = QUERY.exec(query);
  const fn = (outer?.[1] as "rate" | "increase" | undefined) ?? "gauge";
  const selectorText = (outer?.[2] ?? outer?.[3] ?? "").trim();
  const selector = SELECTOR.exec(selectorText);
  if (!selector)
    throw invalid(query, metric, 'expected a metric name with optional {label="value"} matchers');
  const matchers: LabelMatcher[] = [];
  let rest = (selector[2] ?? "").trim();
  while (rest.length > 0) {
    const m = MATCHER.exec(rest);
    if (!m) throw invalid(query, metric, `cannot read the label matcher at "${rest}"`);
    const value = (m[3] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const op = m[2] as LabelMatcher["op"];
    if (op === "=~" || op === "!~") {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        throw invalid(query, metric, `"${value}" is not a valid regular expression`);
      }
    }
    matchers.push({ label: m[1] as string, op, value });
    rest = rest.slice(m[0].length).trim();
  }
  return { fn, name: selector[1] as string, matchers };
}

/** Whether a sample is one of the query's series. */
export function matchesQuery(sample: PrometheusSample, q: ScrapeQuery): boolean {
  if (sample.name !== q.name) return false;
  return q.matchers.every((m) => {
    const v = sample.labels[m.label] ?? "";
    switch (m.op) {
      case "=":
        return v === m.value;
      case "!=":
        return v !== m.value;
      case "=~":
        return new RegExp(`^(?:${m.value})$`).test(v);
      default:
        return !new RegExp(`^(?:${m.value})$`).test(v);
    }
  });
}

function invalid(query: string, metric: string, why: string): ShipsafeError {
  return new ShipsafeError({
    code: "METRICS_QUERY_INVALID",
    kind: "config",
    message: `metric ${metric}: query ${JSON.stringify(query)} is not a scrape query: ${why}`,
    hint: 'write rate(name{label="value"}) for a counter, increase(name) for its increase, or name{...} for a gauge (docs/config.md#metrics)',
  });
}

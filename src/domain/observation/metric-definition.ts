/** Whether a rise or a fall of a metric is the bad news. */
export type Direction = "higher-is-worse" | "lower-is-worse";

/** The metrics every source knows, computed from the service's standard metric names. */
export const BUILTIN_METRICS = ["errorRate", "latencyP95", "throughput", "ready"] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

/**
 * When one interval of a metric breaches, compared with the baseline's reference value `b` and
 * read in the metric's bad direction (docs/observation.md#thresholds):
 * - `absolute`: the value itself is beyond this limit;
 * - `relative`: the change (v − b) / b is beyond this fraction (1 = doubled; 0.5 = halved for
 *   lower-is-worse);
 * - `delta`: the difference v − b is beyond this amount (errorRate: 0.05 = 5 percentage points).
 * Any one breached is a breach.
 */
export interface MetricThresholds {
  readonly absolute?: number | undefined;
  readonly relative?: number | undefined;
  readonly delta?: number | undefined;
}

export type MetricSeverity = "SEV-1" | "SEV-2" | "SEV-3" | "SEV-4";

/** One metric shipsafe measures per interval and judges against the baseline. */
export interface MetricDefinition {
  readonly name: string;
  /** A built-in, or `custom` with its own `query`. */
  readonly kind: BuiltinMetric | "custom";
  /** PromQL for the prometheus source; `rate(name{..})`, `increase(..)` or a gauge for scrape. */
  readonly query?: string | undefined;
  readonly direction: Direction;
  readonly thresholds: MetricThresholds;
  /** How values print: a ratio as a percentage, milliseconds, requests per second, or plain. */
  readonly unit: "ratio" | "ms" | "rps" | "boolean" | "number";
  /** Severity of a failure of this metric (errorRate is graded by the matrix instead). */
  readonly severity?: MetricSeverity | undefined;
  /**
   * Whether the rank test must confirm a threshold breach. Off for `ready` (a probe either
   * answers or not) and when switched off per metric.
   */
  readonly statisticalTest: boolean;
}

/** The built-ins with the runbooks' defaults (DESIGN.md): +5 points errors, 2x p95, ready. */
export const DEFAULT_METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  {
    name: "errorRate",
    kind: "errorRate",
    direction: "higher-is-worse",
    thresholds: { delta: 0.05 },
    unit: "ratio",
    statisticalTest: true,
  },
  {
    name: "latencyP95",
    kind: "latencyP95",
    direction: "higher-is-worse",
    thresholds: { relative: 1 },
    unit: "ms",
    severity: "SEV-3",
    statisticalTest: true,
  },
  {
    name: "throughput",
    kind: "throughput",
    direction: "lower-is-worse",
    // Informational by default: traffic follows the users, not the release.
    thresholds: {},
    unit: "rps",
    severity: "SEV-3",
    statisticalTest: true,
  },
  {
    name: "ready",
    kind: "ready",
    direction: "lower-is-worse",
    thresholds: { absolute: 1 },
    unit: "boolean",
    severity: "SEV-1",
    statisticalTest: false,
  },
];

/** Human names used in reasons, so they read as the runbooks do. */
export function metricLabel(definition: Pick<MetricDefinition, "name" | "kind">): string {
  switch (definition.kind) {
    case "errorRate":
      return "error rate";
    case "latencyP95":
      return "p95 latency";
    case "throughput":
      return "throughput";
    case "ready":
      return "readiness";
    default:
      return definition.name;
  }
}

import type { MetricsConfig } from "../config/schema.js";
import { parseDuration } from "../duration.js";
import { type AnalysisOptions, DEFAULT_ANALYSIS_OPTIONS } from "./analysis-options.js";
import {
  BUILTIN_METRICS,
  type BuiltinMetric,
  DEFAULT_METRIC_DEFINITIONS,
  type MetricDefinition,
} from "./metric-definition.js";
import type { Thresholds } from "./thresholds.js";

/** What to measure and how to judge it: one environment's `metrics` block with its defaults. */
export interface ObservationSetup {
  readonly definitions: readonly MetricDefinition[];
  readonly analysis: AnalysisOptions;
  /** The sampling interval of `watch` (metrics.interval, default 5 s). */
  readonly intervalMs: number;
}

export const DEFAULT_INTERVAL_MS = 5_000;

/** The setup without a metrics block: the built-ins with the runbooks' defaults. */
export const DEFAULT_OBSERVATION: ObservationSetup = {
  definitions: DEFAULT_METRIC_DEFINITIONS,
  analysis: DEFAULT_ANALYSIS_OPTIONS,
  intervalMs: DEFAULT_INTERVAL_MS,
};

/** Applies the defaults of docs/config.md#metrics to a `metrics` block. Pure. */
export function observationSetup(config: MetricsConfig | undefined): ObservationSetup {
  if (!config) return DEFAULT_OBSERVATION;
  const a = config.analysis ?? {};
  const s = config.severity ?? {};
  const d = DEFAULT_ANALYSIS_OPTIONS;
  return {
    definitions: config.definitions
      ? config.definitions.map(toDefinition)
      : DEFAULT_METRIC_DEFINITIONS,
    analysis: {
      consecutiveFailures: a.consecutiveFailures ?? d.consecutiveFailures,
      minTraffic: a.minTraffic ?? d.minTraffic,
      minBaselineSamples: a.minBaselineSamples ?? d.minBaselineSamples,
      alpha: a.alpha ?? d.alpha,
      minCliffsDelta: a.minCliffsDelta ?? d.minCliffsDelta,
      minMedianChange: a.minMedianChange ?? d.minMedianChange,
      severity: {
        sev2ErrorRate: s.sev2ErrorRate ?? d.severity.sev2ErrorRate,
        sev3ErrorRate: s.sev3ErrorRate ?? d.severity.sev3ErrorRate,
      },
    },
    intervalMs: config.interval ? parseDuration(config.interval) : DEFAULT_INTERVAL_MS,
  };
}

type ConfiguredMetric = NonNullable<MetricsConfig["definitions"]>[number];

function toDefinition(m: ConfiguredMetric): MetricDefinition {
  if ((BUILTIN_METRICS as readonly string[]).includes(m.name)) {
    const builtin = DEFAULT_METRIC_DEFINITIONS.find(
      (d) => d.kind === (m.name as BuiltinMetric),
    ) as MetricDefinition;
    return {
      ...builtin,
      ...(m.thresholds ? { thresholds: m.thresholds } : {}),
      ...(m.severity ? { severity: m.severity } : {}),
      ...(m.test === undefined ? {} : { statisticalTest: m.test && builtin.kind !== "ready" }),
    };
  }
  return {
    name: m.name,
    kind: "custom",
    query: m.query,
    direction: m.direction ?? "higher-is-worse",
    thresholds: m.thresholds ?? {},
    unit: m.unit ?? "number",
    severity: m.severity ?? "SEV-3",
    statisticalTest: m.test ?? true,
  };
}

/**
 * The setup equivalent to the fixed rule's `Thresholds` (what `deploy` took before the analysis):
 * errors +points → errorRate delta, p95 ratio → latencyP95 relative, minRequests → minTraffic.
 */
export function setupFromThresholds(
  t: Thresholds,
  intervalMs = DEFAULT_INTERVAL_MS,
): ObservationSetup {
  return {
    definitions: DEFAULT_METRIC_DEFINITIONS.map((d) =>
      d.kind === "errorRate"
        ? { ...d, thresholds: { delta: t.errorRateFailPoints / 100 } }
        : d.kind === "latencyP95"
          ? { ...d, thresholds: { relative: t.p95FailRatio - 1 } }
          : d,
    ),
    analysis: {
      ...DEFAULT_ANALYSIS_OPTIONS,
      minTraffic: t.minRequests,
      consecutiveFailures: DEFAULT_ANALYSIS_OPTIONS.consecutiveFailures,
      severity: {
        sev2ErrorRate: t.sev2ErrorRatePercent / 100,
        sev3ErrorRate: t.sev3ErrorRatePercent / 100,
      },
    },
    intervalMs,
  };
}

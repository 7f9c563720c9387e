import { type AnalysisOptions, DEFAULT_ANALYSIS_OPTIONS } from "./analysis-options.js";
import {
  EMPTY_METRIC_STATE,
  evaluateInterval,
  type MetricBaseline,
  type MetricState,
  minTrafficOf,
} from "./evaluate-interval.js";
import type { MetricDefinition } from "./metric-definition.js";
import type { MetricPoint, MetricSeries } from "./metric-series.js";
import { quantile, seriesStats } from "./summary-stats.js";
import type {
  ComparedMetrics,
  MetricResult,
  RuleOutcome,
  Severity,
  Verdict,
  VerdictStatus,
} from "./verdict.js";

/** What the analysis carries from one interval to the next. */
export interface AnalysisState {
  /** When observation began (epoch ms): the verdict's window starts here. */
  readonly startedAt: number;
  /** The newest interval end already judged; later points are judged on the next call. */
  readonly lastAt: number | null;
  readonly intervals: number;
  readonly metrics: Readonly<Record<string, MetricState>>;
}

export function initialAnalysisState(startedAt: number): AnalysisState {
  return { startedAt, lastAt: null, intervals: 0, metrics: {} };
}

const RANK: Record<RuleOutcome, number> = { pass: 0, inconclusive: 1, degraded: 2, failed: 3 };
const STATUS: Record<RuleOutcome, VerdictStatus> = {
  pass: "healthy",
  inconclusive: "inconclusive",
  degraded: "degraded",
  failed: "failed",
};
const SEVERITY_RANK: Record<Severity, number> = { "SEV-1": 4, "SEV-2": 3, "SEV-3": 2, "SEV-4": 1 };

/**
 * shipsafe's analysis of an observation window (docs/observation.md#the-analysis). Judges every
 * interval of `current` newer than `state.lastAt`, metric by metric, against `baseline`: threshold
 * rules (absolute, delta and relative to the baseline), a minimum of traffic below which a metric
 * is inconclusive, a consecutive-failure limit, and a one-sided Mann-Whitney U test with
 * effect-size floors that must confirm a breach before it fails. Returns the verdict at the newest
 * interval and the state for the next call. Pure.
 */
export function analyzeWindow(
  definitions: readonly MetricDefinition[],
  baseline: MetricSeries,
  current: MetricSeries,
  state: AnalysisState,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
): { verdict: Verdict; state: AnalysisState } {
  const baselines = new Map(
    definitions.map((d) => [d.name, metricBaseline(d, baseline[d.name] ?? [], options)]),
  );
  const newAts = [
    ...new Set(
      definitions.flatMap((d) =>
        (current[d.name] ?? [])
          .map((p) => p.at)
          .filter((at) => state.lastAt === null || at > state.lastAt),
      ),
    ),
  ].sort((a, b) => a - b);
  const metrics: Record<string, MetricState> = { ...state.metrics };
  for (const at of newAts) {
    for (const d of definitions) {
      const point = (current[d.name] ?? []).find((p) => p.at === at);
      metrics[d.name] = evaluateInterval(
        d,
        point,
        baselines.get(d.name) as MetricBaseline,
        metrics[d.name] ?? EMPTY_METRIC_STATE,
        options,
      );
    }
  }
  const next: AnalysisState = {
    startedAt: state.startedAt,
    lastAt: newAts.at(-1) ?? state.lastAt,
    intervals: state.intervals + newAts.length,
    metrics,
  };
  return { verdict: verdictOf(definitions, baseline, current, next, options), state: next };
}

/**
 * The plain fixed-threshold rule, for comparison (the scenario benchmark): the same thresholds and
 * traffic floor, but one breaching interval fails at once and no rank test confirms it.
 */
export function fixedThresholdWindow(
  definitions: readonly MetricDefinition[],
  baseline: MetricSeries,
  current: MetricSeries,
  state: AnalysisState,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
): { verdict: Verdict; state: AnalysisState } {
  return analyzeWindow(
    definitions.map((d) => ({ ...d, statisticalTest: false })),
    baseline,
    current,
    state,
    { ...options, consecutiveFailures: 1 },
  );
}

/** The baseline side of a metric: intervals with a value and enough traffic. */
export function metricBaseline(
  d: MetricDefinition,
  points: readonly MetricPoint[],
  options: AnalysisOptions,
): MetricBaseline {
  const min = minTrafficOf(d, options);
  const usable = points.filter((p) => p.value !== null && (p.traffic === null || p.traffic >= min));
  return { stats: seriesStats(usable, d), values: usable.map((p) => p.value as number) };
}

function verdictOf(
  definitions: readonly MetricDefinition[],
  baseline: MetricSeries,
  current: MetricSeries,
  state: AnalysisState,
  options: AnalysisOptions,
): Verdict {
  const results: MetricResult[] = definitions.map(
    (d) =>
      state.metrics[d.name]?.last ?? {
        metric: d.name,
        label: d.name,
        unit: d.unit,
        outcome: "inconclusive",
        baseline: null,
        current: null,
        change: { delta: null, relative: null },
        traffic: null,
        streak: 0,
        test: null,
        reason: `${d.name} not judged: no interval measured yet`,
      },
  );
  const worst = results.reduce<RuleOutcome>(
    (w, r) => (RANK[r.outcome] > RANK[w] ? r.outcome : w),
    "pass",
  );
  const status = STATUS[worst];
  const notPassing = results.filter((r) => r.outcome !== "pass");
  const ordered = [...notPassing].sort((a, b) => RANK[b.outcome] - RANK[a.outcome]);
  const errorDef = definitions.find((d) => d.kind === "errorRate");
  const readyDef = definitions.find((d) => d.kind === "ready");
  const now = compared(definitions, current);
  const to = state.lastAt ?? state.startedAt;
  return {
    status,
    severity: grade(
      status,
      definitions,
      results,
      recentErrorRate(errorDef, current, options),
      options,
    ),
    reasons: (ordered.length > 0 ? ordered : results).map((r) => r.reason),
    rules: results.map((r) => ({ rule: r.metric, outcome: r.outcome, reason: r.reason })),
    metrics: {
      ...now,
      readinessConsecutiveFailures: readyDef ? (state.metrics[readyDef.name]?.streak ?? 0) : 0,
    },
    baseline: compared(definitions, baseline),
    window: {
      from: state.startedAt,
      to,
      durationMs: Math.max(0, to - state.startedAt),
      counterReset: false,
      intervals: state.intervals,
    },
    results,
  };
}

/**
 * The severity matrix: SEV-1 for failed readiness; errors graded by the recent absolute error rate
 * (> sev2ErrorRate SEV-2, ≥ sev3ErrorRate SEV-3); a failed metric with its own severity (p95
 * latency: SEV-3) at least that; anything else degraded or failed SEV-4 (monitor).
 */
function grade(
  status: VerdictStatus,
  definitions: readonly MetricDefinition[],
  results: readonly MetricResult[],
  errorRate: number | null,
  options: AnalysisOptions,
): Severity | null {
  if (status !== "failed" && status !== "degraded") return null;
  let severity: Severity = "SEV-4";
  const raise = (s: Severity) => {
    if (SEVERITY_RANK[s] > SEVERITY_RANK[severity]) severity = s;
  };
  if (errorRate !== null && errorRate > options.severity.sev2ErrorRate) raise("SEV-2");
  else if (errorRate !== null && errorRate >= options.severity.sev3ErrorRate) raise("SEV-3");
  for (const r of results) {
    if (r.outcome !== "failed") continue;
    const d = definitions.find((def) => def.name === r.metric);
    if (d?.severity) raise(d.severity);
    else if (d?.kind !== "errorRate") raise("SEV-3");
  }
  return severity;
}

/** The pooled error rate of the last `consecutiveFailures` judged intervals. */
function recentErrorRate(
  d: MetricDefinition | undefined,
  current: MetricSeries,
  options: AnalysisOptions,
): number | null {
  if (!d) return null;
  const min = minTrafficOf(d, options);
  const recent = (current[d.name] ?? [])
    .filter((p) => p.value !== null && (p.traffic === null || p.traffic >= min))
    .slice(-options.consecutiveFailures);
  if (recent.length === 0) return null;
  const traffic = recent.reduce((s, p) => s + (p.traffic ?? 1), 0);
  return recent.reduce((s, p) => s + (p.value as number) * (p.traffic ?? 1), 0) / traffic;
}

/** The headline numbers of a window (the verdict's `metrics` / `baseline`). */
function compared(definitions: readonly MetricDefinition[], series: MetricSeries): ComparedMetrics {
  const pointsOf = (kind: MetricDefinition["kind"]) => {
    const d = definitions.find((def) => def.kind === kind);
    return (d ? (series[d.name] ?? []) : []).filter((p) => p.value !== null);
  };
  const errorPoints = pointsOf("errorRate");
  const requests = errorPoints.reduce((s, p) => s + (p.traffic ?? 0), 0);
  const errors = Math.round(
    errorPoints.reduce((s, p) => s + (p.value as number) * (p.traffic ?? 0), 0),
  );
  const p95s = pointsOf("latencyP95")
    .map((p) => p.value as number)
    .sort((a, b) => a - b);
  const rps = pointsOf("throughput").map((p) => p.value as number);
  return {
    requests: Math.round(requests),
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    p95Ms: p95s.length > 0 ? quantile(p95s, 0.5) : null,
    throughputRps: rps.length > 0 ? rps.reduce((a, b) => a + b, 0) / rps.length : 0,
  };
}

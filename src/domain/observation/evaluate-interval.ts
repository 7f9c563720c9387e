import type { AnalysisOptions } from "./analysis-options.js";
import { mannWhitney } from "./mann-whitney.js";
import { type MetricDefinition, metricLabel } from "./metric-definition.js";
import { formatChange, formatLimit, formatValue } from "./metric-format.js";
import type { MetricPoint } from "./metric-series.js";
import { quantile, type SeriesStats } from "./summary-stats.js";
import type { MetricResult, MetricTest, RuleOutcome } from "./verdict.js";

/** Where one metric stands between intervals. */
export interface MetricState {
  /** Consecutive judged intervals that breached a threshold (inconclusive ones are skipped). */
  readonly streak: number;
  /** The values of that streak (the last 30), which the rank test compares with the baseline. */
  readonly streakValues: readonly number[];
  /** The first failure, kept: once failed, a metric stays failed for the window. */
  readonly failed: MetricResult | null;
  readonly last: MetricResult | null;
}

export const EMPTY_METRIC_STATE: MetricState = {
  streak: 0,
  streakValues: [],
  failed: null,
  last: null,
};

const MAX_STREAK_VALUES = 30;

/** The baseline side of a metric: its statistics and the interval values the test ranks. */
export interface MetricBaseline {
  readonly stats: SeriesStats;
  readonly values: readonly number[];
}

/** Requests an interval needs before this metric is judged. */
export function minTrafficOf(definition: MetricDefinition, options: AnalysisOptions): number {
  return definition.kind === "errorRate" || definition.kind === "latencyP95"
    ? options.minTraffic
    : 0;
}

/**
 * Judges one interval of one metric: inconclusive (no value, too little traffic, nothing to compare
 * with), pass, degraded (a breach, not yet `consecutiveFailures` in a row or not confirmed by the
 * rank test) or failed (breached that many intervals in a row and, when the baseline has enough
 * intervals, confirmed by a one-sided Mann-Whitney test with both effect-size floors).
 */
export function evaluateInterval(
  definition: MetricDefinition,
  point: MetricPoint | undefined,
  baseline: MetricBaseline,
  state: MetricState,
  options: AnalysisOptions,
): MetricState {
  if (state.failed) return { ...state, last: state.failed };
  const label = metricLabel(definition);
  const minTraffic = minTrafficOf(definition, options);
  const ref = baseline.stats.reference;
  const base: Omit<MetricResult, "outcome" | "reason"> = {
    metric: definition.name,
    label,
    unit: definition.unit,
    baseline: ref,
    current: point?.value ?? null,
    change: changeOf(point?.value ?? null, ref),
    traffic: point?.traffic ?? null,
    streak: state.streak,
    test: null,
  };
  const result = (outcome: RuleOutcome, reason: string, extra: Partial<MetricResult> = {}) =>
    ({ ...base, outcome, reason, ...extra }) as MetricResult;
  if (!point || point.value === null) {
    return { ...state, last: result("inconclusive", `${label} not judged: no value in interval`) };
  }
  if (point.traffic !== null && point.traffic < minTraffic) {
    const why = `${label} not judged: ${point.traffic} requests in interval (< ${minTraffic})`;
    return { ...state, last: result("inconclusive", why) };
  }
  const value = point.value;
  if (definition.kind === "ready") return readiness(value, state, options, result);
  // A quiet baseline says nothing about its error rate: compare against 0%, the strict choice.
  const quiet = ref === null && definition.kind === "errorRate";
  const b = quiet ? 0 : ref;
  const breach = checkThresholds(definition, value, b);
  const head = `${label} ${formatValue(value, definition.unit)} vs ${quiet ? "baseline taken as 0.0% (no baseline traffic)" : `baseline ${formatValue(b, definition.unit)}`}`;
  if (breach.kind === "none") {
    return {
      ...state,
      streak: 0,
      streakValues: [],
      last: result(
        "pass",
        `${label} ${formatValue(value, definition.unit)} (no thresholds: shown, not judged)`,
        { streak: 0 },
      ),
    };
  }
  if (breach.kind === "no-baseline") {
    return {
      ...state,
      last: result("inconclusive", `${label} not judged: no baseline value to compare with`),
    };
  }
  const detail = `${head} (${formatChange(value, b, definition.unit)} ${breach.breached ? ">" : "<="} ${breach.limitText})`;
  if (!breach.breached) {
    return { ...state, streak: 0, streakValues: [], last: result("pass", detail, { streak: 0 }) };
  }
  const streak = state.streak + 1;
  const streakValues = [...state.streakValues, value].slice(-MAX_STREAK_VALUES);
  const n = options.consecutiveFailures;
  const next = { ...state, streak, streakValues };
  if (streak < n) {
    const reason = `${detail}: ${streak} of ${n} consecutive intervals`;
    return { ...next, last: result("degraded", reason, { streak }) };
  }
  const testable =
    definition.statisticalTest && baseline.values.length >= options.minBaselineSamples;
  if (!testable) {
    const note = definition.statisticalTest
      ? `; rank test skipped: ${baseline.values.length} baseline intervals (< ${options.minBaselineSamples})`
      : "";
    const failed = result("failed", `${detail} in ${streak} consecutive intervals${note}`, {
      streak,
    });
    return { ...next, failed, last: failed };
  }
  const test = rankTest(definition, baseline.values, streakValues, options);
  const testText = `Mann-Whitney U=${test.u.toFixed(1)}, p=${formatP(test.pValue)} (${test.method}, ${test.baselineSamples} vs ${test.currentSamples} intervals), Cliff's delta ${test.cliffsDelta.toFixed(2)}`;
  if (test.confirmed) {
    const failed = result("failed", `${detail} in ${streak} consecutive intervals; ${testText}`, {
      streak,
      test,
    });
    return { ...next, failed, last: failed };
  }
  const reason = `${detail} in ${streak} consecutive intervals, but not distinguishable from the baseline: ${testText}`;
  return { ...next, last: result("degraded", reason, { streak, test }) };
}

/** Readiness as the runbooks say it: down N probes in a row is an outage (SEV-1). */
function readiness(
  value: number,
  state: MetricState,
  options: AnalysisOptions,
  result: (outcome: RuleOutcome, reason: string, extra?: Partial<MetricResult>) => MetricResult,
): MetricState {
  if (value >= 1) {
    return {
      ...state,
      streak: 0,
      streakValues: [],
      last: result("pass", "readiness passing", { streak: 0 }),
    };
  }
  const streak = state.streak + 1;
  const n = options.consecutiveFailures;
  const next = {
    ...state,
    streak,
    streakValues: [...state.streakValues, value].slice(-MAX_STREAK_VALUES),
  };
  if (streak >= n) {
    const failed = result(
      "failed",
      `readiness failed ${streak} consecutive times (>= ${n}): the service is down`,
      { streak },
    );
    return { ...next, failed, last: failed };
  }
  const times = `${streak} consecutive time${streak === 1 ? "" : "s"}`;
  return { ...next, last: result("degraded", `readiness failed ${times} (< ${n})`, { streak }) };
}

type Breach =
  | { readonly kind: "none" }
  | { readonly kind: "no-baseline" }
  | { readonly kind: "judged"; readonly breached: boolean; readonly limitText: string };

/** Any applicable threshold breached is a breach; the text names the one breached (or the first). */
function checkThresholds(d: MetricDefinition, v: number, b: number | null): Breach {
  const { absolute, relative, delta } = d.thresholds;
  if (absolute === undefined && relative === undefined && delta === undefined)
    return { kind: "none" };
  const worse = d.direction === "higher-is-worse" ? 1 : -1;
  const checks: { breached: boolean; limitText: string }[] = [];
  if (absolute !== undefined) {
    checks.push({
      breached: worse * (v - absolute) > 0,
      limitText: formatLimit("absolute", absolute, d),
    });
  }
  if (delta !== undefined && b !== null) {
    checks.push({ breached: worse * (v - b) > delta, limitText: formatLimit("delta", delta, d) });
  }
  if (relative !== undefined && b !== null && b > 0) {
    checks.push({
      breached: (worse * (v - b)) / b > relative,
      limitText: formatLimit("relative", relative, d),
    });
  }
  if (checks.length === 0) return { kind: "no-baseline" };
  const hit =
    checks.find((c) => c.breached) ?? (checks[0] as { breached: boolean; limitText: string });
  return { kind: "judged", ...hit };
}

function rankTest(
  d: MetricDefinition,
  baseline: readonly number[],
  current: readonly number[],
  options: AnalysisOptions,
): MetricTest {
  const alternative = d.direction === "higher-is-worse" ? "greater" : "less";
  const mw = mannWhitney(baseline, current, alternative);
  const mb = quantile(
    [...baseline].sort((a, b) => a - b),
    0.5,
  );
  const mc = quantile(
    [...current].sort((a, b) => a - b),
    0.5,
  );
  const medianChange = mb === 0 ? null : (mc - mb) / Math.abs(mb);
  const worse = d.direction === "higher-is-worse" ? 1 : -1;
  // A zero baseline median: any move of the median in the bad direction is a change.
  const bigEnough =
    medianChange === null ? worse * (mc - mb) > 0 : worse * medianChange >= options.minMedianChange;
  return {
    u: mw.u,
    z: mw.z,
    pValue: mw.pValue,
    method: mw.method,
    cliffsDelta: mw.cliffsDelta,
    medianChange,
    baselineSamples: baseline.length,
    currentSamples: current.length,
    confirmed: mw.pValue < options.alpha && mw.cliffsDelta >= options.minCliffsDelta && bigEnough,
  };
}

function changeOf(v: number | null, b: number | null): MetricResult["change"] {
  if (v === null || b === null) return { delta: null, relative: null };
  return { delta: v - b, relative: b === 0 ? null : (v - b) / b };
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

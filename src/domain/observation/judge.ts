import { DEFAULT_THRESHOLDS, type Thresholds } from "./thresholds.js";
import type {
  ComparedMetrics,
  RuleOutcome,
  RuleResult,
  Severity,
  Verdict,
  VerdictStatus,
} from "./verdict.js";
import type { WindowSummary } from "./window-summary.js";

export interface ReadinessObservation {
  /** How many readiness probes in a row have failed, up to now. */
  readonly consecutiveFailures: number;
}

const RANK: Record<RuleOutcome, number> = { pass: 0, inconclusive: 1, degraded: 2, failed: 3 };
const STATUS: Record<RuleOutcome, VerdictStatus> = {
  pass: "healthy",
  inconclusive: "inconclusive",
  degraded: "degraded",
  failed: "failed",
};

/**
 * Judges the current window against the baseline window: each rule (readiness, error rate, p95
 * latency) passes, degrades, fails or is inconclusive; the worst outcome is the verdict's status
 * and the severity matrix grades degraded and failed verdicts. Pure; documented in
 * docs/observation.md.
 */
export function judge(
  baseline: WindowSummary,
  current: WindowSummary,
  readiness: ReadinessObservation,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Verdict {
  const rules = [
    readinessRule(readiness, thresholds),
    errorRateRule(baseline, current, thresholds),
    latencyRule(baseline, current, thresholds),
  ];
  const worst = rules.reduce((a, b) => (RANK[b.outcome] > RANK[a.outcome] ? b : a)).outcome;
  const status = STATUS[worst];
  const notPassing = rules.filter((rule) => rule.outcome !== "pass");
  const ordered = [...notPassing].sort((a, b) => RANK[b.outcome] - RANK[a.outcome]);
  return {
    status,
    severity: severity(status, rules, current, thresholds),
    reasons: (ordered.length > 0 ? ordered : rules).map((rule) => rule.reason),
    rules,
    metrics: {
      ...compared(current),
      readinessConsecutiveFailures: readiness.consecutiveFailures,
    },
    baseline: compared(baseline),
    window: {
      from: current.from,
      to: current.to,
      durationMs: current.durationMs,
      counterReset: current.counterReset,
    },
  };
}

function readinessRule(readiness: ReadinessObservation, t: Thresholds): RuleResult {
  const n = readiness.consecutiveFailures;
  if (n >= t.readinessFailures) {
    return {
      rule: "readiness",
      outcome: "failed",
      reason: `readiness failed ${n} consecutive times (>= ${t.readinessFailures}): the service is down`,
    };
  }
  if (n > 0) {
    return {
      rule: "readiness",
      outcome: "degraded",
      reason: `readiness failed ${n} consecutive time${n === 1 ? "" : "s"} (< ${t.readinessFailures})`,
    };
  }
  return { rule: "readiness", outcome: "pass", reason: "readiness passing" };
}

function errorRateRule(baseline: WindowSummary, current: WindowSummary, t: Thresholds): RuleResult {
  const rule = "error-rate";
  if (current.errorRate === null || current.requests < t.minRequests) {
    return {
      rule,
      outcome: "inconclusive",
      reason: `error rate not judged: ${current.requests} requests in window (< ${t.minRequests})`,
    };
  }
  // A quiet baseline says nothing about its error rate; compare against 0%, the strict choice.
  const quietBaseline = baseline.errorRate === null || baseline.requests < t.minRequests;
  const base = quietBaseline ? 0 : (baseline.errorRate as number);
  const points = (current.errorRate - base) * 100;
  const baseText = quietBaseline
    ? `baseline taken as 0.0% (${baseline.requests} baseline requests < ${t.minRequests})`
    : `baseline ${percent(base)}`;
  const head = `error rate ${percent(current.errorRate)} vs ${baseText} (${signed(points)} points`;
  if (points > t.errorRateFailPoints) {
    return { rule, outcome: "failed", reason: `${head} > ${t.errorRateFailPoints})` };
  }
  if (points > t.errorRateDegradedPoints) {
    return { rule, outcome: "degraded", reason: `${head} > ${t.errorRateDegradedPoints})` };
  }
  return { rule, outcome: "pass", reason: `${head} <= ${t.errorRateDegradedPoints})` };
}

function latencyRule(baseline: WindowSummary, current: WindowSummary, t: Thresholds): RuleResult {
  const rule = "p95-latency";
  const inconclusive = (why: string): RuleResult => ({
    rule,
    outcome: "inconclusive",
    reason: `p95 latency not judged: ${why}`,
  });
  if (current.requests < t.minRequests) {
    return inconclusive(`${current.requests} requests in window (< ${t.minRequests})`);
  }
  if (baseline.requests < t.minRequests) {
    return inconclusive(`${baseline.requests} baseline requests (< ${t.minRequests})`);
  }
  if (current.p95Ms === null) return inconclusive("no latency observations in window");
  if (baseline.p95Ms === null) return inconclusive("no latency observations in baseline");
  if (baseline.p95Ms < t.minBaselineP95Ms || baseline.p95Ms <= 0) {
    return inconclusive(`baseline p95 ${ms(baseline.p95Ms)} (< ${t.minBaselineP95Ms} ms)`);
  }
  const ratio = current.p95Ms / baseline.p95Ms;
  const head = `p95 ${ms(current.p95Ms)} vs baseline ${ms(baseline.p95Ms)} (${ratio.toFixed(2)}x`;
  if (ratio > t.p95FailRatio) {
    return { rule, outcome: "failed", reason: `${head} > ${t.p95FailRatio}x)` };
  }
  if (ratio > t.p95DegradedRatio) {
    return { rule, outcome: "degraded", reason: `${head} > ${t.p95DegradedRatio}x)` };
  }
  return { rule, outcome: "pass", reason: `${head} <= ${t.p95DegradedRatio}x)` };
}

/**
 * SEV-1 when readiness is down persistently; otherwise graded by the window's absolute error rate
 * (> 10% SEV-2, 5-10% SEV-3, < 5% SEV-4). A failed latency rule is at least SEV-3, since it asks
 * for a rollback and SEV-4 only says "monitor".
 */
function severity(
  status: VerdictStatus,
  rules: readonly RuleResult[],
  current: WindowSummary,
  t: Thresholds,
): Severity | null {
  if (status !== "failed" && status !== "degraded") return null;
  const failed = (name: RuleResult["rule"]) =>
    rules.some((rule) => rule.rule === name && rule.outcome === "failed");
  if (failed("readiness")) return "SEV-1";
  const errorPercent = (current.errorRate ?? 0) * 100;
  if (errorPercent > t.sev2ErrorRatePercent) return "SEV-2";
  if (errorPercent >= t.sev3ErrorRatePercent) return "SEV-3";
  if (failed("p95-latency")) return "SEV-3";
  return "SEV-4";
}

function compared(summary: WindowSummary): ComparedMetrics {
  return {
    requests: summary.requests,
    errors: summary.errors,
    errorRate: summary.errorRate,
    p95Ms: summary.p95Ms,
    throughputRps: summary.throughputRps,
  };
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function signed(value: number): string {
  const text = value.toFixed(1);
  return value >= 0 && !text.startsWith("-") ? `+${text}` : text;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

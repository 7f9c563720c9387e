/** How a release looks after observation, compared with the baseline taken before the change. */
export type VerdictStatus = "healthy" | "degraded" | "failed" | "inconclusive";

/** SEV-1 outage; SEV-2 errors > 10%; SEV-3 errors 5-10% or latency breach; SEV-4 monitor. */
export type Severity = "SEV-1" | "SEV-2" | "SEV-3" | "SEV-4";

/** The fixed rules of `judge`, or a metric's name for the analysis (`analyzeWindow`). */
export type ObservationRule = "readiness" | "error-rate" | "p95-latency" | (string & {});

export type RuleOutcome = "pass" | "degraded" | "failed" | "inconclusive";

/** One rule's judgement, with a reason that carries the numbers compared. */
export interface RuleResult {
  readonly rule: ObservationRule;
  readonly outcome: RuleOutcome;
  readonly reason: string;
}

/** The numbers of one window that a verdict compares. */
export interface ComparedMetrics {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p95Ms: number | null;
  readonly throughputRps: number;
}

export interface Verdict {
  readonly status: VerdictStatus;
  /** Null for healthy and inconclusive verdicts. */
  readonly severity: Severity | null;
  /** Why: the reasons of the rules that did not pass (all rules' reasons when healthy). */
  readonly reasons: readonly string[];
  readonly rules: readonly RuleResult[];
  readonly metrics: ComparedMetrics & { readonly readinessConsecutiveFailures: number };
  readonly baseline: ComparedMetrics;
  readonly window: {
    readonly from: number;
    readonly to: number;
    readonly durationMs: number;
    readonly counterReset: boolean;
    /** Intervals judged so far (analysis verdicts only). */
    readonly intervals?: number;
  };
  /** Per metric: baseline, now, change, outcome and the test (analysis verdicts only). */
  readonly results?: readonly MetricResult[];
}

/** The Mann-Whitney comparison behind a metric's outcome. */
export interface MetricTest {
  readonly u: number;
  readonly z: number | null;
  readonly pValue: number;
  readonly method: "exact" | "normal";
  readonly cliffsDelta: number;
  /** (current median − baseline median) / |baseline median|; null for a zero baseline median. */
  readonly medianChange: number | null;
  readonly baselineSamples: number;
  readonly currentSamples: number;
  /** Significant (p < α) and both effect-size floors reached. */
  readonly confirmed: boolean;
}

/** One metric at the latest interval, as `watch` and `baseline compare` show it. */
export interface MetricResult {
  readonly metric: string;
  readonly label: string;
  readonly unit: "ratio" | "ms" | "rps" | "boolean" | "number";
  readonly outcome: RuleOutcome;
  /** The baseline's reference value (pooled error rate, median otherwise). */
  readonly baseline: number | null;
  /** The latest interval's value. */
  readonly current: number | null;
  /** current − baseline, and (current − baseline) / baseline (null for a zero baseline). */
  readonly change: { readonly delta: number | null; readonly relative: number | null };
  /** Requests behind the latest interval, when known. */
  readonly traffic: number | null;
  /** Consecutive breaching intervals up to now. */
  readonly streak: number;
  readonly test: MetricTest | null;
  readonly reason: string;
}

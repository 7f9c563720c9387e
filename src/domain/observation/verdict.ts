/** How a release looks after observation, compared with the baseline taken before the change. */
export type VerdictStatus = "healthy" | "degraded" | "failed" | "inconclusive";

/** SEV-1 outage; SEV-2 errors > 10%; SEV-3 errors 5-10% or latency breach; SEV-4 monitor. */
export type Severity = "SEV-1" | "SEV-2" | "SEV-3" | "SEV-4";

export type ObservationRule = "readiness" | "error-rate" | "p95-latency";

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
  };
}

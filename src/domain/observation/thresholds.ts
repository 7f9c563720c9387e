/** When an observation window counts as degraded or failed. Every field is overridable by config. */
export interface Thresholds {
  /** Failed when the error rate is more than this many percentage points above baseline. */
  readonly errorRateFailPoints: number;
  /** Degraded when the error rate is more than this many points above baseline. */
  readonly errorRateDegradedPoints: number;
  /** Failed when p95 latency is more than this multiple of the baseline p95. */
  readonly p95FailRatio: number;
  /** Degraded when p95 latency is more than this multiple of the baseline p95. */
  readonly p95DegradedRatio: number;
  /** The baseline p95 (ms) below which a ratio means nothing; the latency rule is inconclusive. */
  readonly minBaselineP95Ms: number;
  /** Fewer requests than this in a window make the traffic rules inconclusive. */
  readonly minRequests: number;
  /** Failed (SEV-1) when readiness failed this many consecutive times. */
  readonly readinessFailures: number;
  /** SEV-2 above this error rate (percent); SEV-3 from `errorRateFailPoints`% up to it. */
  readonly sev2ErrorRatePercent: number;
  /** SEV-3 above this error rate (percent); below it SEV-4 (monitor). */
  readonly sev3ErrorRatePercent: number;
}

/** The defaults taken from the runbooks (docs/observation.md). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  errorRateFailPoints: 5,
  errorRateDegradedPoints: 2,
  p95FailRatio: 2,
  p95DegradedRatio: 1.5,
  minBaselineP95Ms: 1,
  minRequests: 20,
  readinessFailures: 3,
  sev2ErrorRatePercent: 10,
  sev3ErrorRatePercent: 5,
};

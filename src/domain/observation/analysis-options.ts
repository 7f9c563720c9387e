/** Errors graded by the window's absolute error rate (DESIGN.md: > 10% SEV-2, 5-10% SEV-3). */
export interface SeverityMatrix {
  /** SEV-2 above this error rate (a ratio: 0.10 = 10%). */
  readonly sev2ErrorRate: number;
  /** SEV-3 from this error rate up to sev2ErrorRate; below it SEV-4 (monitor). */
  readonly sev3ErrorRate: number;
}

/** How the analysis judges each interval (docs/observation.md#the-analysis). */
export interface AnalysisOptions {
  /** A metric fails the verdict only after this many consecutive breaching intervals. */
  readonly consecutiveFailures: number;
  /** Requests an interval needs for errorRate / latencyP95 to be judged; fewer: inconclusive. */
  readonly minTraffic: number;
  /**
   * Baseline intervals the rank test needs; fewer: thresholds alone decide (said in reasons). 4,
   * so that 3 completely separated intervals reach p = 1/C(7,3) ≈ 0.029 < α at the limit.
   */
  readonly minBaselineSamples: number;
  /** One-sided significance level of the Mann-Whitney test. */
  readonly alpha: number;
  /** Effect-size floor: Cliff's delta (−1..1) in the bad direction must reach this. */
  readonly minCliffsDelta: number;
  /** Effect-size floor: the medians must differ by at least this fraction of the baseline's. */
  readonly minMedianChange: number;
  readonly severity: SeverityMatrix;
}

/**
 * Defaults: 4 consecutive intervals — with the 5 s interval of `watch`, a breach must last over
 * 15 s: a 10 s blip can touch 3 intervals (its edges partly), and with a limit of 3 the scenario
 * benchmark rolled back on 11 of 15 blip replays; with 4 on none, every regression still caught,
 * median 19.5 s instead of 14.5 s (docs/analysis.md); 20 requests
 * per interval, as before; α = 0.05; Cliff's delta ≥ 0.33 ("medium", Romano et al. 2006) and a 10%
 * change of medians, so a significant but tiny shift does not fail.
 */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  consecutiveFailures: 4,
  minTraffic: 20,
  minBaselineSamples: 4,
  alpha: 0.05,
  minCliffsDelta: 0.33,
  minMedianChange: 0.1,
  severity: { sev2ErrorRate: 0.1, sev3ErrorRate: 0.05 },
};

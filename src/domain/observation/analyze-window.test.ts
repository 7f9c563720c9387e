import { describe, expect, it } from "vitest";
import { serviceSeries } from "./analysis.test-support.js";
import { DEFAULT_ANALYSIS_OPTIONS } from "./analysis-options.js";
import {
  type AnalysisState,
  analyzeWindow,
  fixedThresholdWindow,
  initialAnalysisState,
} from "./analyze-window.js";
import { DEFAULT_METRIC_DEFINITIONS as DEFS } from "./metric-definition.js";
import type { MetricSeries } from "./metric-series.js";
import type { Verdict } from "./verdict.js";

const T0 = 1_767_225_600_000;
const noise = (i: number) => ((i * 7919) % 13) / 13; // deterministic jitter in [0, 1)
const baseline = serviceSeries(12, T0 - 60_000, (i) => ({
  errorRate: noise(i) < 0.3 ? 0.005 : 0,
  p95: 22 + 3 * noise(i),
  requests: 200,
}));

/** Feeds the intervals one by one, as watch does, and returns every verdict. */
function run(current: MetricSeries, analyze = analyzeWindow): Verdict[] {
  let state: AnalysisState = initialAnalysisState(T0);
  const verdicts: Verdict[] = [];
  const n = Math.max(...Object.values(current).map((p) => p.length));
  for (let k = 1; k <= n; k++) {
    const upTo = Object.fromEntries(Object.entries(current).map(([m, p]) => [m, p.slice(0, k)]));
    const out = analyze(DEFS, baseline, upTo, state, DEFAULT_ANALYSIS_OPTIONS);
    state = out.state;
    verdicts.push(out.verdict);
  }
  return verdicts;
}

describe("analyzeWindow", () => {
  it("fails a 20% error spike after 4 consecutive intervals, with the numbers and the test", () => {
    const current = serviceSeries(5, T0, () => ({ errorRate: 0.2, p95: 23, requests: 200 }));
    const verdicts = run(current);
    expect(verdicts.map((v) => v.status)).toEqual([
      "degraded",
      "degraded",
      "degraded",
      "failed",
      "failed",
    ]);
    const failed = verdicts[3] as Verdict;
    expect(failed.severity).toBe("SEV-2");
    const error = failed.results?.find((r) => r.metric === "errorRate");
    expect(error).toMatchObject({ outcome: "failed", current: 0.2, streak: 4 });
    expect(error?.baseline).toBeCloseTo(0.0015, 3);
    expect(error?.test).toMatchObject({ method: "exact", confirmed: true, cliffsDelta: 1 });
    expect(failed.reasons[0]).toMatch(
      /^error rate 20\.0% vs baseline 0\.\d% \(\+19\.\d points > \+5\.0 points\) in 4 consecutive intervals; Mann-Whitney U=/,
    );
  });

  it("does not fail a blip of two intervals, and returns to healthy", () => {
    const current = serviceSeries(6, T0, (i) => ({
      errorRate: i === 1 || i === 2 ? 0.3 : 0,
      p95: 23,
      requests: 200,
    }));
    expect(run(current).map((v) => v.status)).toEqual([
      "healthy",
      "degraded",
      "degraded",
      "healthy",
      "healthy",
      "healthy",
    ]);
  });

  it("the fixed-threshold rule fails the same blip at its first interval", () => {
    const current = serviceSeries(3, T0, (i) => ({
      errorRate: i === 1 ? 0.3 : 0,
      p95: 23,
      requests: 200,
    }));
    expect(run(current, fixedThresholdWindow).map((v) => v.status)).toEqual([
      "healthy",
      "failed",
      "failed",
    ]);
  });

  it("is inconclusive, never failed, below the traffic floor", () => {
    const current = serviceSeries(6, T0, () => ({ errorRate: 0.5, p95: 200, requests: 10 }));
    const verdicts = run(current);
    expect(verdicts.every((v) => v.status === "inconclusive")).toBe(true);
    expect(verdicts[0]?.reasons[0]).toBe("error rate not judged: 10 requests in interval (< 20)");
  });

  it("fails a latency-only regression as SEV-3 with the factor", () => {
    const current = serviceSeries(5, T0, () => ({ errorRate: 0, p95: 95, requests: 200 }));
    const verdict = run(current)[3] as Verdict;
    expect(verdict.status).toBe("failed");
    expect(verdict.severity).toBe("SEV-3");
    expect(verdict.reasons[0]).toMatch(
      /^p95 latency 95\.0 ms vs baseline 2\d\.\d ms \(\d\.\d\dx > 2\.00x\)/,
    );
  });

  it("fails persistent readiness failures as SEV-1 even without traffic", () => {
    const current = serviceSeries(4, T0, () => ({
      errorRate: 0,
      p95: 23,
      requests: 0,
      ready: false,
    }));
    const verdict = run(current)[3] as Verdict;
    expect(verdict.status).toBe("failed");
    expect(verdict.severity).toBe("SEV-1");
    expect(verdict.reasons[0]).toBe(
      "readiness failed 4 consecutive times (>= 4): the service is down",
    );
    expect(verdict.metrics.readinessConsecutiveFailures).toBe(4);
  });

  it("keeps a breach that the rank test cannot tell from a noisy baseline degraded", () => {
    // A baseline swinging between 1% and 13% errors (pooled 7%); now 12.5%: above +5 points of
    // the reference, but inside what the baseline did.
    const noisy = serviceSeries(12, T0 - 60_000, (i) => ({
      errorRate: i % 2 ? 0.13 : 0.01,
      p95: 23,
      requests: 200,
    }));
    const current = serviceSeries(4, T0, () => ({ errorRate: 0.125, p95: 23, requests: 200 }));
    let state = initialAnalysisState(T0);
    let verdict: Verdict | undefined;
    for (let k = 1; k <= 4; k++) {
      const upTo = Object.fromEntries(Object.entries(current).map(([m, p]) => [m, p.slice(0, k)]));
      ({ verdict, state } = analyzeWindow(DEFS, noisy, upTo, state));
    }
    expect(verdict?.status).toBe("degraded");
    expect(verdict?.reasons[0]).toMatch(/not distinguishable from the baseline/);
  });

  it("judges against 0% errors without a baseline, thresholds alone (first deploy)", () => {
    const current = serviceSeries(4, T0, () => ({ errorRate: 0.2, p95: 23, requests: 200 }));
    const { verdict } = analyzeWindow(DEFS, {}, current, initialAnalysisState(T0));
    expect(verdict.status).toBe("failed");
    expect(verdict.reasons[0]).toMatch(
      /baseline taken as 0\.0%.*rank test skipped: 0 baseline intervals/,
    );
    const latency = verdict.results?.find((r) => r.metric === "latencyP95");
    expect(latency?.outcome).toBe("inconclusive");
  });

  it("judges all new intervals in one call the same as one by one", () => {
    const current = serviceSeries(5, T0, (i) => ({
      errorRate: i > 1 ? 0.2 : 0,
      p95: 23,
      requests: 200,
    }));
    const once = analyzeWindow(DEFS, baseline, current, initialAnalysisState(T0));
    const stepwise = run(current).at(-1);
    expect(once.verdict).toEqual(stepwise);
    expect(once.state.intervals).toBe(5);
  });

  it("keeps plain JSON: no NaN or Infinity", () => {
    const current = serviceSeries(3, T0, () => ({ errorRate: 0, p95: 23, requests: 0 }));
    const text = JSON.stringify(run(current).at(-1));
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});

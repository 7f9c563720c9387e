// The observation scenarios of bench/observation-scenarios.mjs: a background of healthy noise that
// every scenario has (baseline included), and on top of it the scenario's fault from its start
// time on. Both are pure functions of time and a seeded PRNG, set on the demo app each second
// through POST /admin/faults (docs/analysis.md, "Method").

/**
 * Healthy noise, drawn once per second: latency jitter of 0-6 ms on every work request; in 2% of
 * seconds a latency spike of +30-60 ms (a GC pause, a cold cache); in 8% of seconds an error rate
 * of 5% (about one error in that second at 20 rps: "occasional single errors").
 */
export function drawNoise(rng) {
  const spike = rng() < 0.02;
  const jitter = rng() * 6;
  const errorSecond = rng() < 0.08;
  return {
    errorRate: errorSecond ? 0.05 : 0,
    extraLatencyMs: spike ? 30 + rng() * 30 : jitter,
  };
}

const NONE = { errorRate: 0, extraLatencyMs: 0 };

/**
 * Each scenario: `regression` (true: a real regression that must be caught; false: must not roll
 * back), the load in requests per second, and `fault(msSinceFaultStart, context)` → what to add to
 * the noise. `context.baselineP95Ms` is the p95 the product measures over the baseline period.
 */
export const SCENARIOS = [
  {
    name: "healthy-noisy",
    regression: false,
    rps: 20,
    fault: "none: the background noise only",
    at: () => NONE,
  },
  {
    name: "blip",
    regression: false,
    rps: 20,
    fault: "30% errors for 10 s, then healthy",
    at: (ms) => (ms < 10_000 ? { errorRate: 0.3, extraLatencyMs: 0 } : NONE),
  },
  {
    name: "error-spike",
    regression: true,
    rps: 20,
    fault: "20% errors from the fault on",
    at: () => ({ errorRate: 0.2, extraLatencyMs: 0 }),
  },
  {
    name: "slow-creep",
    regression: true,
    rps: 20,
    fault: "error rate rising 6 points a minute from 0% (capped at 30%)",
    at: (ms) => ({ errorRate: Math.min(0.3, (0.06 * ms) / 60_000), extraLatencyMs: 0 }),
  },
  {
    name: "latency-only",
    regression: true,
    rps: 20,
    fault: "every work request +2× the baseline p95 (p95 ≈ 3×), no errors",
    at: (_ms, context) => ({ errorRate: 0, extraLatencyMs: 2 * context.baselineP95Ms }),
  },
  {
    name: "low-traffic",
    regression: false,
    rps: 2,
    fault: "2 rps throughout; 100% errors for 1 s (≈ 2 errors)",
    at: (ms) => (ms < 1_000 ? { errorRate: 1, extraLatencyMs: 0 } : NONE),
  },
];

/** Noise plus fault, as the demo app's fault endpoint takes it. */
export function combine(noise, fault) {
  return {
    errorRate: Math.min(1, Math.max(0, noise.errorRate + fault.errorRate)),
    extraLatencyMs: Math.min(60_000, Math.round(noise.extraLatencyMs + fault.extraLatencyMs)),
  };
}

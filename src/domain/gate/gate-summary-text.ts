import type { GateTrend, PassCount } from "./gate-summary.js";

/** A pass rate as a percentage for people: `70%`, `66.7%`, `–` when there were no runs. */
export function percent(rate: number | null): string {
  if (rate === null) return "–";
  const value = Math.round(rate * 1000) / 10;
  return `${value}%`;
}

/** `14 of 20 passed (70%)`. */
export function passedOf(count: PassCount): string {
  return `${count.passed} of ${count.runs} passed (${percent(count.passRate)})`;
}

/** `60% → 80%, improving`, or `not enough runs` with fewer than two. */
export function trendText(trend: GateTrend): string {
  if (trend.direction === "not-enough-runs") return "not enough runs";
  return `${percent(trend.older.passRate)} → ${percent(trend.newer.passRate)}, ${trend.direction}`;
}

/** `the newest 3 runs passed`, `the newest run failed`. */
export function streakText(streak: { readonly passed: boolean; readonly runs: number }): string {
  const result = streak.passed ? "passed" : "failed";
  return streak.runs === 1
    ? `the newest run ${result}`
    : `the newest ${streak.runs} runs ${result}`;
}

/** Where an evidence document lives under the state dir. */
export function evidencePath(hash: string): string {
  return `evidence/${hash.slice(0, 2)}/${hash}.json`;
}

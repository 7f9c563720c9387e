import { BUILT_IN_GATES } from "./gate-names.js";
import type { SummaryCheck, SummaryRun } from "./gate-summary-input.js";

export const GATE_SUMMARY_FORMAT = "shipsafe-gate-summary/1";

/** How many runs passed among some runs. `passRate` is passed / runs (4 decimals), null for none. */
export interface PassCount {
  readonly runs: number;
  readonly passed: number;
  readonly failed: number;
  readonly passRate: number | null;
}

export type TrendDirection = "improving" | "worsening" | "steady" | "not-enough-runs";

/** The newer half of the runs against the older half (an odd count gives the newer half more). */
export interface GateTrend {
  readonly older: PassCount;
  readonly newer: PassCount;
  /** newer.passRate − older.passRate, null while either half is empty. */
  readonly change: number | null;
  readonly direction: TrendDirection;
  /** Run by run, oldest first: `P` passed, `F` failed. */
  readonly sequence: string;
}

/** A check that failed (`fail`) or errored (`error`) in at least one of the summarized runs. */
export interface FailingCheck {
  readonly name: string;
  readonly subsystem: string;
  readonly failed: number;
  readonly errored: number;
  /** failed + errored: the runs this check made fail. */
  readonly total: number;
  /** The summarized runs that ran this check. */
  readonly runs: number;
  readonly lastFailedAt: string;
}

/** One run in the summary's history. */
export interface RunPoint {
  readonly id: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly version: string | null;
  readonly evidenceHash: string | null;
  /** The checks that made it fail (status fail or error). */
  readonly failedChecks: readonly string[];
}

/** The newest failed run with the diagnostics of each check that failed it. */
export interface LastFailure {
  readonly id: string;
  readonly startedAt: string;
  readonly version: string | null;
  readonly evidenceHash: string | null;
  readonly checks: readonly SummaryCheck[];
}

export interface GateSummary extends PassCount {
  readonly gate: string;
  readonly firstRunAt: string;
  readonly lastRunAt: string;
  readonly trend: GateTrend;
  /** The newest runs with the same result as the newest one. */
  readonly streak: { readonly passed: boolean; readonly runs: number };
  /** Most failures first (then by name). */
  readonly failingChecks: readonly FailingCheck[];
  readonly lastFailure: LastFailure | null;
  /** Oldest first; each run's evidence hash is the link to its evidence document. */
  readonly history: readonly RunPoint[];
}

export interface GateSummaryReport {
  readonly format: typeof GATE_SUMMARY_FORMAT;
  readonly service: string;
  readonly env: string;
  /** At most this many of the newest runs of each gate are summarized. */
  readonly limit: number;
  readonly generatedAt: string;
  /** Built-in gates first (release, rollback, restore, host), then the others by name. */
  readonly gates: readonly GateSummary[];
}

export interface SummaryOptions {
  readonly service: string;
  readonly env: string;
  readonly limit: number;
  readonly generatedAt: string;
}

const isFailure = (check: SummaryCheck): boolean =>
  check.status === "fail" || check.status === "error";

/** Rounds a rate to 4 decimals, so the JSON shows 0.6667 rather than 0.6666666666666666. */
export function roundRate(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Pass counts of some runs. */
export function passCount(runs: readonly Pick<SummaryRun, "passed">[]): PassCount {
  const passed = runs.filter((r) => r.passed).length;
  return {
    runs: runs.length,
    passed,
    failed: runs.length - passed,
    passRate: runs.length === 0 ? null : roundRate(passed / runs.length),
  };
}

/** The trend of runs given oldest first: the newer half's pass rate against the older half's. */
export function gateTrend(runs: readonly Pick<SummaryRun, "passed">[]): GateTrend {
  const split = Math.floor(runs.length / 2);
  const older = passCount(runs.slice(0, split));
  const newer = passCount(runs.slice(split));
  const sequence = runs.map((r) => (r.passed ? "P" : "F")).join("");
  if (older.runs === 0 || newer.runs === 0) {
    return { older, newer, change: null, direction: "not-enough-runs", sequence };
  }
  // From the exact fractions, so a steady gate shows exactly 0.
  const change = roundRate(newer.passed / newer.runs - older.passed / older.runs);
  const direction = change > 0 ? "improving" : change < 0 ? "worsening" : "steady";
  return { older, newer, change, direction, sequence };
}

/** The checks that failed or errored in runs, most failures first, then by name. */
export function failingChecks(runs: readonly SummaryRun[]): FailingCheck[] {
  const byName = new Map<string, FailingCheck>();
  for (const run of runs) {
    for (const check of run.checks) {
      const seen = byName.get(check.name);
      const failed = check.status === "fail" ? 1 : 0;
      const errored = check.status === "error" ? 1 : 0;
      byName.set(check.name, {
        name: check.name,
        subsystem: check.subsystem,
        failed: (seen?.failed ?? 0) + failed,
        errored: (seen?.errored ?? 0) + errored,
        total: (seen?.total ?? 0) + failed + errored,
        runs: (seen?.runs ?? 0) + 1,
        lastFailedAt: failed + errored > 0 ? run.startedAt : (seen?.lastFailedAt ?? ""),
      });
    }
  }
  return [...byName.values()]
    .filter((c) => c.total > 0)
    .sort((a, b) => b.total - a.total || compareText(a.name, b.name));
}

/** Summarizes one gate's runs, given oldest first. */
export function summarizeGate(gate: string, runs: readonly SummaryRun[]): GateSummary {
  const newest = runs.at(-1);
  const first = runs[0];
  if (newest === undefined || first === undefined) throw new Error(`no runs of gate ${gate}`);
  let streak = 0;
  while (streak < runs.length && runs[runs.length - 1 - streak]?.passed === newest.passed) {
    streak += 1;
  }
  const failure = runs.findLast((r) => !r.passed);
  return {
    gate,
    ...passCount(runs),
    firstRunAt: first.startedAt,
    lastRunAt: newest.startedAt,
    trend: gateTrend(runs),
    streak: { passed: newest.passed, runs: streak },
    failingChecks: failingChecks(runs),
    lastFailure:
      failure === undefined
        ? null
        : {
            id: failure.id,
            startedAt: failure.startedAt,
            version: failure.version,
            evidenceHash: failure.evidenceHash,
            checks: failure.checks.filter(isFailure),
          },
    history: runs.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      passed: r.passed,
      version: r.version,
      evidenceHash: r.evidenceHash,
      failedChecks: r.checks.filter(isFailure).map((c) => c.name),
    })),
  };
}

/**
 * The gate summary of one environment: per gate, its newest `limit` runs (by start time). Runs are
 * given as the store lists them, newest first; runs of other environments are ignored.
 */
export function summarizeGateRuns(
  runs: readonly SummaryRun[],
  options: SummaryOptions,
): GateSummaryReport {
  const oldestFirst = runs
    .filter((r) => r.env === options.env)
    .reverse()
    .sort((a, b) => compareText(a.startedAt, b.startedAt));
  const byGate = new Map<string, SummaryRun[]>();
  for (const run of oldestFirst) {
    const list = byGate.get(run.gate) ?? [];
    list.push(run);
    byGate.set(run.gate, list);
  }
  const gates = [...byGate.keys()].sort(compareGates);
  return {
    format: GATE_SUMMARY_FORMAT,
    service: options.service,
    env: options.env,
    limit: options.limit,
    generatedAt: options.generatedAt,
    gates: gates.map((gate) => summarizeGate(gate, (byGate.get(gate) ?? []).slice(-options.limit))),
  };
}

function compareGates(a: string, b: string): number {
  const rank = (gate: string): number => {
    const i = (BUILT_IN_GATES as readonly string[]).indexOf(gate);
    return i === -1 ? BUILT_IN_GATES.length : i;
  };
  return rank(a) - rank(b) || compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

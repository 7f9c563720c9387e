import type { JsonObject } from "../model/json.js";

/** A check's result: expected outcomes are values, not exceptions. */
export type CheckStatus = "pass" | "fail" | "warn" | "error" | "inconclusive";

export interface CheckResult {
  readonly name: string;
  /** The subsystem a failure points at: health, backup, artifact, ... */
  readonly subsystem: string;
  readonly status: CheckStatus;
  /** What was found and, on failure, how to fix it. */
  readonly diagnostics: readonly string[];
  readonly durationMs: number;
  /** Measured facts (status code, latency, versions found, ...) for JSON readers and evidence. */
  readonly details?: JsonObject;
}

/** A check the operator left out of a run (`--skip`), recorded so the evidence says so. */
export interface SkippedCheck {
  readonly name: string;
  readonly reason: string;
}

export interface GateRun {
  readonly id: string;
  readonly gate: string;
  readonly env: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  /** Checks of the gate that were not run. */
  readonly skipped?: readonly SkippedCheck[];
  /** The release version the gate was run for, when there was one. */
  readonly version?: string;
}

/** A gate passes when no check failed or errored (warnings and inconclusive results pass). */
export function gatePassed(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.status !== "fail" && c.status !== "error");
}

/** The checks that make a gate fail. */
export function failedChecks(checks: readonly CheckResult[]): CheckResult[] {
  return checks.filter((c) => c.status === "fail" || c.status === "error");
}

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
}

export interface GateRun {
  readonly id: string;
  readonly gate: string;
  readonly env: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
}

/** A gate passes when no check failed or errored (warnings and inconclusive results pass). */
export function gatePassed(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.status !== "fail" && c.status !== "error");
}

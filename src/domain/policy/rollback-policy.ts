import type { Severity } from "../observation/verdict.js";

/** What the policy does about a verdict of one severity. */
export type PolicyAction = "rollback" | "prepare" | "monitor";

/**
 * When approvals are needed: `required` before the rollback runs, `after` (it runs at once and the
 * approval is recorded afterwards, the runbooks' SEV-1), `none`.
 */
export type ApprovalTiming = "required" | "after" | "none";

/** One row of the severity matrix, resolved (no optional fields). */
export interface SeverityRule {
  readonly action: PolicyAction;
  readonly approval: ApprovalTiming;
  /** Distinct approvers needed when `approval` is `required`. */
  readonly approvalsRequired: number;
  /** Who may approve; null: anyone (the actor shipsafe identifies). */
  readonly approvers: readonly string[] | null;
}

/** Where the matrix came from: an explicit `severities` block, `autoRollback`, or the defaults. */
export type PolicySource = "severities" | "auto-rollback" | "manual" | "default";

/** The resolved rollback policy of one environment. */
export interface RollbackPolicy {
  readonly source: PolicySource;
  readonly severities: Readonly<Record<Severity, SeverityRule>>;
}

export const SEVERITIES: readonly Severity[] = ["SEV-1", "SEV-2", "SEV-3", "SEV-4"];

/**
 * The runbooks' matrix (DESIGN.md "Defaults taken from the runbooks"): SEV-1 immediate rollback,
 * approval may come after; SEV-2 rollback, approval required; SEV-3 prepare the rollback; SEV-4
 * monitor.
 */
export const DEFAULT_SEVERITY_ACTIONS: Readonly<
  Record<Severity, { action: PolicyAction; approval: ApprovalTiming }>
> = {
  "SEV-1": { action: "rollback", approval: "after" },
  "SEV-2": { action: "rollback", approval: "required" },
  "SEV-3": { action: "prepare", approval: "required" },
  "SEV-4": { action: "monitor", approval: "none" },
};

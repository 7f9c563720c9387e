import type { Severity } from "../observation/verdict.js";
import type { ApprovalTiming, SeverityRule } from "./rollback-policy.js";

/**
 * The approvals a prepared rollback plan needs, fixed when the plan is prepared (a plan is a value:
 * a later config change does not move the goalposts of a plan already waiting).
 */
export interface ApprovalRequirement {
  /** The verdict's severity that the policy acted on; null for a plan prepared by hand. */
  readonly severity: Severity | null;
  readonly approval: ApprovalTiming;
  /** Distinct approvers needed before the plan may run (0 when `approval` is not `required`). */
  readonly needed: number;
  /** Who may approve; null: anyone. */
  readonly approvers: readonly string[] | null;
}

/** One approval as recorded in the store (and the ledger's `rollback.approved`). */
export interface Approval {
  readonly actor: string;
  readonly at: string;
  readonly reason: string;
}

export function requirementFor(severity: Severity | null, rule: SeverityRule): ApprovalRequirement {
  return {
    severity,
    approval: rule.approval,
    needed: rule.approval === "required" ? rule.approvalsRequired : 0,
    approvers: rule.approvers,
  };
}

/** Whether `actor` may approve under `requirement` (anyone when it names no approvers). */
export function mayApprove(requirement: ApprovalRequirement, actor: string): boolean {
  return requirement.approvers === null || requirement.approvers.includes(actor);
}

/** Approvals that count: one per distinct actor, from actors allowed to approve. */
export function countApprovals(
  requirement: ApprovalRequirement,
  approvals: readonly Pick<Approval, "actor">[],
): number {
  const actors = new Set(approvals.map((a) => a.actor).filter((a) => mayApprove(requirement, a)));
  return actors.size;
}

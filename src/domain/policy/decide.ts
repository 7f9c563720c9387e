import type { Severity } from "../observation/verdict.js";
import {
  type Approval,
  type ApprovalRequirement,
  countApprovals,
  requirementFor,
} from "./approval-requirement.js";
import type { RollbackPolicy } from "./rollback-policy.js";

/** What the policy says to do now. */
export type PolicyDecisionAction = "rollback" | "wait-for-approval" | "monitor";

export interface PolicyDecision {
  readonly action: PolicyDecisionAction;
  readonly reason: string;
  readonly approvalsNeeded: number;
  readonly approvalsGiven: number;
  /** True when `emergency` let a rollback run without the approvals it needed. */
  readonly bypassed: boolean;
}

/**
 * Decides from a verdict's severity (null: healthy or inconclusive), the environment's policy and
 * the approvals recorded so far. Emergency runs a rollback the policy would make wait, and says so.
 */
export function decide(input: {
  readonly severity: Severity | null;
  readonly policy: RollbackPolicy;
  readonly approvals: readonly Pick<Approval, "actor">[];
  readonly emergency?: boolean;
}): PolicyDecision {
  if (input.severity === null) {
    return monitor("no severity (healthy or inconclusive verdict): nothing to do", 0, 0);
  }
  const rule = input.policy.severities[input.severity];
  const requirement = requirementFor(input.severity, rule);
  const given = countApprovals(requirement, input.approvals);
  if (rule.action === "monitor") {
    return monitor(`${input.severity}: policy says monitor`, 0, given);
  }
  if (rule.action === "prepare" && !input.emergency) {
    return {
      action: "wait-for-approval",
      reason: `${input.severity}: policy says prepare the rollback and wait for a decision (${describeNeed(requirement, given)})`,
      approvalsNeeded: requirement.needed,
      approvalsGiven: given,
      bypassed: false,
    };
  }
  return decideApproved({ requirement, approvals: input.approvals, emergency: input.emergency });
}

/**
 * Decides whether a rollback under `requirement` (a prepared plan's) may run now: it may once the
 * needed approvals are in, or at once with `emergency` (a bypass when approvals were missing).
 */
export function decideApproved(input: {
  readonly requirement: ApprovalRequirement;
  readonly approvals: readonly Pick<Approval, "actor">[];
  readonly emergency?: boolean | undefined;
}): PolicyDecision {
  const { requirement } = input;
  const given = countApprovals(requirement, input.approvals);
  const label = requirement.severity ?? "rollback";
  const base = { approvalsNeeded: requirement.needed, approvalsGiven: given };
  if (given >= requirement.needed) {
    const why =
      requirement.approval === "required"
        ? `approved (${given}/${requirement.needed})`
        : requirement.approval === "after"
          ? "approval may come after the rollback"
          : "no approval needed";
    return { action: "rollback", reason: `${label}: ${why}`, ...base, bypassed: false };
  }
  if (input.emergency) {
    return {
      action: "rollback",
      reason: `${label}: emergency bypass of the approval (${given}/${requirement.needed} given)`,
      ...base,
      bypassed: true,
    };
  }
  return {
    action: "wait-for-approval",
    reason: `${label}: approval required (${describeNeed(requirement, given)})`,
    ...base,
    bypassed: false,
  };
}

function monitor(reason: string, needed: number, given: number): PolicyDecision {
  return {
    action: "monitor",
    reason,
    approvalsNeeded: needed,
    approvalsGiven: given,
    bypassed: false,
  };
}

function describeNeed(requirement: ApprovalRequirement, given: number): string {
  const who = requirement.approvers === null ? "anyone" : requirement.approvers.join(", ");
  return requirement.needed === 0
    ? "no approval needed to run it"
    : `${given}/${requirement.needed} approvals from ${who}`;
}

import { ShipsafeError } from "../../domain/errors.js";
import {
  type Approval,
  countApprovals,
  mayApprove,
} from "../../domain/policy/approval-requirement.js";
import type { EnvironmentPorts } from "../environment.js";
import {
  loadStoredPlan,
  PREPARED_STATUS,
  requireNotExecuted,
  type StoredPlan,
  withApproval,
} from "./prepared-plan.js";

export interface ApproveResult {
  readonly planId: string;
  readonly approval: Approval;
  readonly approvalsGiven: number;
  readonly approvalsNeeded: number;
  /** True when the plan may now run (`shipsafe rollback --plan <id>`). */
  readonly ready: boolean;
  /** True when the rollback already ran (a SEV-1's approval after the fact). */
  readonly after: boolean;
  readonly stored: StoredPlan;
}

/**
 * Records the acting operator's approval of a prepared plan (`rollback.approved` in the ledger).
 * Refuses an unknown plan, one already executed (unless its approval may come after), an actor who
 * is not an approver, and a second approval by the same actor.
 */
export async function approvePlan(
  ports: EnvironmentPorts,
  request: { readonly planId: string; readonly reason: string },
): Promise<ApproveResult> {
  const stored = await loadStoredPlan(ports, request.planId);
  const { requirement } = stored.approval;
  const after = stored.record.status !== PREPARED_STATUS;
  if (after && requirement.approval !== "after") requireNotExecuted(stored);
  const actor = ports.actor;
  if (!mayApprove(requirement, actor)) {
    throw new ShipsafeError({
      code: "APPROVER_NOT_ALLOWED",
      kind: "refused",
      message: `${actor} may not approve rollback plan ${request.planId}: the approvers are ${requirement.approvers?.join(", ") || "nobody (an empty list)"}`,
      hint: "run it as an approver (SHIPSAFE_ACTOR or the config's actor), or add the approver to policy.approvals.approvers (or the severity's approvers)",
    });
  }
  if (stored.approval.approvals.some((a) => a.actor === actor)) {
    throw new ShipsafeError({
      code: "ALREADY_APPROVED",
      kind: "refused",
      message: `${actor} already approved rollback plan ${request.planId}`,
      hint: `another approver must approve it (${countApprovals(requirement, stored.approval.approvals)}/${requirement.needed} given)`,
    });
  }
  const approval: Approval = {
    actor,
    at: ports.clock.now().toISOString(),
    reason: request.reason,
  };
  const approvals = [...stored.approval.approvals, approval];
  const record = withApproval(stored.record, { ...stored.approval, approvals });
  await ports.store.rollbacks.put(record);
  const given = countApprovals(requirement, approvals);
  await ports.record({
    kind: "rollback.approved",
    subject: request.planId,
    data: {
      planId: request.planId,
      from: stored.plan.fromVersion,
      to: stored.plan.toVersion,
      severity: requirement.severity,
      reason: request.reason,
      approvalsGiven: given,
      approvalsNeeded: requirement.needed,
      after,
    },
  });
  return {
    planId: request.planId,
    approval,
    approvalsGiven: given,
    approvalsNeeded: requirement.needed,
    ready: !after && given >= requirement.needed,
    after,
    stored: { ...stored, record, approval: { ...stored.approval, approvals } },
  };
}

import type { RollbackRecord } from "../../domain/model/records.js";
import type { ApprovalRequirement } from "../../domain/policy/approval-requirement.js";
import { approveCommand } from "../../domain/policy/rollback-notification.js";
import type { RollbackPlan } from "../../domain/rollback/plan.js";
import type { NotifyResult } from "../../ports/notifier.js";
import type { EnvironmentPorts } from "../environment.js";
import { planRollback } from "../rollback/plan-rollback.js";
import { notifyAll } from "./notify-all.js";
import { type ApprovalState, PREPARED_STATUS, withApproval } from "./prepared-plan.js";

export interface PrepareRequest {
  readonly to: string;
  readonly restoreState: boolean;
  readonly reason: string;
  readonly timeoutMs: number;
  readonly requirement: ApprovalRequirement;
  readonly verdict: ApprovalState["verdict"];
  /** The policy decision's reason. */
  readonly decisionReason: string;
}

export interface PreparedPlan {
  readonly plan: RollbackPlan;
  readonly record: RollbackRecord;
  readonly notifications: readonly NotifyResult[];
}

/**
 * Builds the rollback plan, stores it as `prepared` (nothing runs), notifies, and records
 * `rollback.prepared` in the ledger with the plan as evidence.
 */
export async function preparePlan(
  ports: EnvironmentPorts,
  request: PrepareRequest,
): Promise<PreparedPlan> {
  const plan = await planRollback(ports, {
    to: request.to,
    restoreState: request.restoreState,
    emergency: false,
    reason: request.reason,
    timeoutMs: request.timeoutMs,
  });
  const approval: ApprovalState = {
    requirement: request.requirement,
    verdict: request.verdict,
    decidedAt: ports.clock.now().toISOString(),
    decidedBy: ports.actor,
    reason: request.decisionReason,
    approvals: [],
  };
  const record = withApproval(
    {
      id: plan.id,
      env: ports.env,
      createdAt: plan.createdAt,
      status: PREPARED_STATUS,
      doc: { plan: plan as never, requestedTo: request.to },
    },
    approval,
  );
  await ports.store.rollbacks.put(record);
  ports.progress.report({
    type: "note",
    message: `rollback plan ${plan.id} (${plan.fromVersion ?? "-"} → ${plan.toVersion}, Type ${plan.type}) prepared, waiting for approval: ${approveCommand(ports.env, plan.id)}`,
  });
  const notifications = await notifyAll(ports, {
    event: "rollback.prepared",
    verdict: request.verdict?.status ?? null,
    severity: request.requirement.severity,
    reasons: request.verdict?.reasons ?? [],
    action: "wait-for-approval",
    planId: plan.id,
    fromVersion: plan.fromVersion,
    toVersion: plan.toVersion,
    approvalsNeeded: request.requirement.needed,
    approvalsGiven: 0,
  });
  await ports.record({
    kind: "rollback.prepared",
    subject: plan.toVersion,
    data: {
      planId: plan.id,
      from: plan.fromVersion,
      to: plan.toVersion,
      type: plan.type,
      severity: request.requirement.severity,
      approval: request.requirement.approval,
      approvalsNeeded: request.requirement.needed,
      approvers: request.requirement.approvers ? [...request.requirement.approvers] : null,
      reason: request.decisionReason,
      notified: notifications.map((n) => ({ target: n.target, ok: n.ok })),
    },
    evidence: plan as never,
  });
  return { plan, record, notifications };
}

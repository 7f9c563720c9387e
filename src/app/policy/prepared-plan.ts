import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { RollbackRecord } from "../../domain/model/records.js";
import type { Severity, VerdictStatus } from "../../domain/observation/verdict.js";
import type { Approval, ApprovalRequirement } from "../../domain/policy/approval-requirement.js";
import { approveCommand } from "../../domain/policy/rollback-notification.js";
import type { RollbackPlan } from "../../domain/rollback/plan.js";
import type { EnvironmentPorts } from "../environment.js";

/** A rollback record waiting for its approvals. */
export const PREPARED_STATUS = "prepared";

/** What the policy attached to a rollback record (doc.approval), beside the plan. */
export interface ApprovalState {
  readonly requirement: ApprovalRequirement;
  readonly verdict: {
    readonly status: VerdictStatus;
    readonly severity: Severity | null;
    readonly reasons: readonly string[];
  } | null;
  readonly decidedAt: string;
  readonly decidedBy: string;
  /** The policy decision's reason. */
  readonly reason: string;
  readonly approvals: readonly Approval[];
}

/** A stored plan with its approval state. */
export interface StoredPlan {
  readonly record: RollbackRecord;
  readonly plan: RollbackPlan;
  readonly approval: ApprovalState;
}

/** Loads a plan the policy prepared (or ran with approval after), refusing what cannot be one. */
export async function loadStoredPlan(
  ports: Pick<EnvironmentPorts, "env" | "store">,
  planId: string,
): Promise<StoredPlan> {
  const record = await ports.store.rollbacks.get(planId);
  if (!record || record.env !== ports.env) {
    const waiting = await waitingPlanIds(ports);
    throw new ShipsafeError({
      code: "PLAN_UNKNOWN",
      kind: "usage",
      message: `no rollback plan ${planId} in ${ports.env}${record ? ` (it belongs to ${record.env})` : ""}`,
      hint: record
        ? `add --env ${record.env}`
        : waiting.length > 0
          ? `plans waiting for approval in ${ports.env}: ${waiting.join(", ")}`
          : `no plan is waiting for approval in ${ports.env}; see shipsafe audit tail for rollback.prepared entries`,
    });
  }
  const approval = record.doc.approval as unknown as ApprovalState | undefined;
  if (!approval) {
    throw new ShipsafeError({
      code: "PLAN_NOT_PREPARED",
      kind: "refused",
      message: `rollback ${planId} was not prepared by the policy (status ${record.status}): it has no approvals to give`,
      hint: "approve plans the policy prepared (rollback.prepared in shipsafe audit tail); start a new rollback with shipsafe rollback --to <target>",
    });
  }
  return { record, plan: record.doc.plan as unknown as RollbackPlan, approval };
}

/** Refuses a plan that has already run (or is running). */
export function requireNotExecuted(stored: StoredPlan): void {
  const { record } = stored;
  if (record.status === PREPARED_STATUS) return;
  throw new ShipsafeError({
    code: "PLAN_ALREADY_EXECUTED",
    kind: "refused",
    message: `rollback plan ${record.id} was already executed (status ${record.status})`,
    hint:
      record.status === "running" || record.status === "failed"
        ? "finish it with shipsafe rollback --resume"
        : "nothing to do; to roll back again, start a new rollback with shipsafe rollback --to <target>",
  });
}

/** The record with a new approval state. */
export function withApproval(record: RollbackRecord, approval: ApprovalState): RollbackRecord {
  return { ...record, doc: { ...record.doc, approval: approval as unknown as JsonObject } };
}

/** The refusal a run without its approvals gets: names the plan and the command to approve it. */
export function approvalRequiredError(
  env: string,
  stored: StoredPlan,
  given: number,
): ShipsafeError {
  const { requirement } = stored.approval;
  const who = requirement.approvers ? ` from ${requirement.approvers.join(", ")}` : "";
  return new ShipsafeError({
    code: "APPROVAL_REQUIRED",
    kind: "refused",
    message: `rollback plan ${stored.plan.id} (${stored.plan.fromVersion ?? "-"} → ${stored.plan.toVersion}, ${requirement.severity ?? "manual"}) needs ${requirement.needed} approval(s)${who} and has ${given}; nothing was changed`,
    hint: `approve it with: ${approveCommand(env, stored.plan.id)} — or run it now with --emergency (recorded as an approval bypass)`,
  });
}

async function waitingPlanIds(ports: Pick<EnvironmentPorts, "env" | "store">): Promise<string[]> {
  const records = await ports.store.rollbacks.list({ env: ports.env, limit: 50 });
  return records.filter((r) => r.status === PREPARED_STATUS).map((r) => r.id);
}

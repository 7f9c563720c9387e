import { ShipsafeError } from "../../domain/errors.js";
import { decideApproved, type PolicyDecision } from "../../domain/policy/decide.js";
import type { EnvironmentPorts } from "../environment.js";
import { type RollbackResult, runStoredPlan } from "../rollback/rollback.js";
import { notifyAll } from "./notify-all.js";
import {
  approvalRequiredError,
  loadStoredPlan,
  requireNotExecuted,
  type StoredPlan,
} from "./prepared-plan.js";

export interface PlanCheck {
  readonly stored: StoredPlan;
  readonly decision: PolicyDecision;
}

/**
 * Whether a prepared plan may run now: it must be waiting, still apply (the release it rolls back
 * from is the current one), and have its approvals (or `emergency`). Changes nothing.
 */
export async function checkPreparedPlan(
  ports: EnvironmentPorts,
  request: { readonly planId: string; readonly emergency: boolean },
): Promise<PlanCheck> {
  const stored = await loadStoredPlan(ports, request.planId);
  requireNotExecuted(stored);
  const current = (await ports.target.current()) ?? null;
  if (current !== stored.plan.fromVersion) {
    throw new ShipsafeError({
      code: "PLAN_STALE",
      kind: "refused",
      message: `rollback plan ${stored.plan.id} rolls back from ${stored.plan.fromVersion ?? "nothing"}, but ${ports.env} now runs ${current ?? "nothing"}; nothing was changed`,
      hint: `plan a new rollback: shipsafe rollback --to ${stored.plan.toVersion} --dry-run`,
    });
  }
  const decision = decideApproved({
    requirement: stored.approval.requirement,
    approvals: stored.approval.approvals,
    emergency: request.emergency,
  });
  return { stored, decision };
}

export interface PreparedRun {
  readonly decision: PolicyDecision;
  readonly result: RollbackResult;
}

/**
 * `shipsafe rollback --plan <id>`: runs a prepared plan once it has its approvals; `emergency` runs
 * it without them and records `rollback.emergency-bypass`. Without either: APPROVAL_REQUIRED
 * (refused, exit 4), nothing changed.
 */
export async function executePreparedPlan(
  ports: EnvironmentPorts,
  request: {
    readonly planId: string;
    readonly emergency: boolean;
    readonly timeoutMs: number;
    readonly reason: string;
  },
): Promise<PreparedRun> {
  const { stored, decision } = await checkPreparedPlan(ports, request);
  if (decision.action !== "rollback") {
    throw approvalRequiredError(ports.env, stored, decision.approvalsGiven);
  }
  await requireNoUnfinishedRollback(ports, stored.plan.id);
  if (decision.bypassed) {
    await ports.record({
      kind: "rollback.emergency-bypass",
      subject: stored.plan.id,
      data: {
        planId: stored.plan.id,
        from: stored.plan.fromVersion,
        to: stored.plan.toVersion,
        severity: stored.approval.requirement.severity,
        approvalsGiven: decision.approvalsGiven,
        approvalsNeeded: decision.approvalsNeeded,
        reason: request.reason,
      },
    });
    ports.progress.report({ type: "note", message: `EMERGENCY: ${decision.reason}` });
  }
  const result = await runStoredPlan(ports, stored.record, {
    emergency: request.emergency,
    timeoutMs: request.timeoutMs,
  });
  await notifyAll(ports, {
    event: "rollback.finished",
    verdict: stored.approval.verdict?.status ?? null,
    severity: stored.approval.requirement.severity,
    reasons: stored.approval.verdict?.reasons ?? [],
    action: decision.bypassed ? "emergency-rollback" : "rollback",
    planId: stored.plan.id,
    fromVersion: stored.plan.fromVersion,
    toVersion: stored.plan.toVersion,
    approvalsNeeded: decision.approvalsNeeded,
    approvalsGiven: decision.approvalsGiven,
    detail: `${result.status}: ${result.message}`,
  });
  return { decision, result };
}

/** A prepared plan must not run over an interrupted rollback (resume that first). */
async function requireNoUnfinishedRollback(ports: EnvironmentPorts, planId: string): Promise<void> {
  const recent = await ports.store.rollbacks.list({ env: ports.env, limit: 20 });
  const interrupted = recent.find((r) => r.id !== planId && r.status === "running");
  if (interrupted) {
    throw new ShipsafeError({
      code: "ROLLBACK_INTERRUPTED",
      kind: "refused",
      message: `rollback ${interrupted.id} of ${ports.env} was interrupted and must finish first`,
      hint: "run shipsafe rollback --resume to finish it, then run the prepared plan",
    });
  }
}

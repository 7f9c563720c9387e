import type { Verdict } from "../../domain/observation/verdict.js";
import { requirementFor } from "../../domain/policy/approval-requirement.js";
import { decide, type PolicyDecision } from "../../domain/policy/decide.js";
import { policyFromConfig } from "../../domain/policy/policy-from-config.js";
import type { RollbackPolicy } from "../../domain/policy/rollback-policy.js";
import type { RollbackPlan } from "../../domain/rollback/plan.js";
import type { NotifyResult } from "../../ports/notifier.js";
import type { EnvironmentPorts } from "../environment.js";
import { type RollbackResult, rollback } from "../rollback/rollback.js";
import { notifyAll } from "./notify-all.js";
import { preparePlan } from "./prepare-plan.js";
import { type ApprovalState, withApproval } from "./prepared-plan.js";

export interface VerdictActionRequest {
  readonly verdict: Pick<Verdict, "status" | "severity" | "reasons">;
  /** The release to roll back to (the one that ran before). */
  readonly previousVersion: string;
  /** Default: the environment's (`ports.policy`), else the runbooks' defaults. */
  readonly policy?: RollbackPolicy | undefined;
  /** Restore the snapshot even when the planner would not (no migrations tracked, schema moved). */
  readonly restoreState: boolean;
  readonly rollbackTimeoutMs: number;
}

export interface VerdictAction {
  readonly action: PolicyDecision["action"];
  readonly decision: PolicyDecision;
  /** The prepared plan (wait-for-approval) or the plan that ran (rollback); null for monitor. */
  readonly plan: RollbackPlan | null;
  /** The rollback's result when the policy rolled back. */
  readonly rollback: RollbackResult | null;
  readonly notifications: readonly NotifyResult[];
}

/**
 * What observation calls on a verdict: the policy decides from the severity; then this rolls back
 * at once, or prepares and stores the plan, notifies and returns waiting for approval, or monitors.
 * Healthy and inconclusive verdicts (no severity) are monitored.
 */
export async function actOnVerdict(
  ports: EnvironmentPorts,
  request: VerdictActionRequest,
): Promise<VerdictAction> {
  const policy = request.policy ?? ports.policy ?? policyFromConfig(undefined);
  const { verdict } = request;
  const severity =
    verdict.status === "failed" || verdict.status === "degraded" ? verdict.severity : null;
  const decision = decide({ severity, policy, approvals: [] });
  const requirement = requirementFor(severity, policy.severities[severity ?? "SEV-4"]);
  const summary = verdict.reasons.join("; ") || `${verdict.status} verdict`;
  const verdictFacts = { status: verdict.status, severity, reasons: [...verdict.reasons] };
  ports.progress.report({
    type: "note",
    message: `policy: ${decision.action} — ${decision.reason}`,
  });

  if (decision.action === "monitor") {
    return { action: "monitor", decision, plan: null, rollback: null, notifications: [] };
  }
  if (decision.action === "wait-for-approval") {
    const prepared = await preparePlan(ports, {
      to: request.previousVersion,
      restoreState: request.restoreState,
      reason: `policy: ${summary}`,
      timeoutMs: request.rollbackTimeoutMs,
      requirement,
      verdict: verdictFacts,
      decisionReason: decision.reason,
    });
    return {
      action: "wait-for-approval",
      decision,
      plan: prepared.plan,
      rollback: null,
      notifications: prepared.notifications,
    };
  }
  const result = await rollback(ports, {
    to: request.previousVersion,
    restoreState: request.restoreState,
    emergency: severity === "SEV-1",
    reason: `auto-rollback: ${summary}`,
    timeoutMs: request.rollbackTimeoutMs,
    dryRun: false,
    // The environment's policy allowed automatic rollback, data loss stated in the plan included.
    acceptDataLoss: true,
    resume: false,
  });
  if (requirement.approval === "after")
    await awaitApprovalAfter(ports, result, requirement, decision, verdictFacts);
  const notifications = await notifyAll(ports, {
    event: "rollback.finished",
    verdict: verdict.status,
    severity,
    reasons: verdict.reasons,
    action: "rollback",
    planId: result.plan.id,
    fromVersion: result.plan.fromVersion,
    toVersion: result.plan.toVersion,
    approvalsNeeded: requirement.needed,
    approvalsGiven: 0,
    detail: `${result.status}: ${result.message}${requirement.approval === "after" ? ` — approve it afterwards: shipsafe approve ${result.plan.id} --env ${ports.env}` : ""}`,
  });
  return { action: "rollback", decision, plan: result.plan, rollback: result, notifications };
}

/**
 * A rollback whose approval may come after (SEV-1) keeps its approval state on its record, so
 * `shipsafe approve <plan-id>` can record the approval once it has run.
 */
async function awaitApprovalAfter(
  ports: EnvironmentPorts,
  result: RollbackResult,
  requirement: ApprovalState["requirement"],
  decision: PolicyDecision,
  verdict: ApprovalState["verdict"],
): Promise<void> {
  const record = await ports.store.rollbacks.get(result.plan.id);
  if (!record) return; // a no-op rollback stores no record
  await ports.store.rollbacks.put(
    withApproval(record, {
      requirement,
      verdict,
      decidedAt: ports.clock.now().toISOString(),
      decidedBy: ports.actor,
      reason: decision.reason,
      approvals: [],
    }),
  );
}

import { ShipsafeError } from "../../domain/errors.js";
import type { RollbackRecord } from "../../domain/model/records.js";
import type { RollbackPlan } from "../../domain/rollback/plan.js";
import type { EnvironmentPorts } from "../environment.js";
import { saveReleaseRecord } from "../release/release-records.js";
import { executePlan, type PlanOutcome } from "./execute-plan.js";
import { planRollback, type RollbackRequest } from "./plan-rollback.js";

export interface RollbackCommand extends Omit<RollbackRequest, "to"> {
  /** undefined: resume an interrupted rollback, else roll back to the previous release. */
  readonly to: string | undefined;
  readonly dryRun: boolean;
  /** Finish an interrupted rollback, or retry a failed one from the step that failed. */
  readonly resume: boolean;
  /** Needed (or `emergency`) for a plan that discards data written since its snapshot. */
  readonly acceptDataLoss: boolean;
}

export interface RollbackResult {
  readonly status: "noop" | "planned" | "succeeded" | "failed";
  readonly plan: RollbackPlan;
  readonly outcome: PlanOutcome | null;
  readonly message: string;
}

/**
 * `shipsafe rollback`: finishes an interrupted rollback if there is one, otherwise plans a new one;
 * a dry run stops at the plan; rolling back to what already runs healthy is a no-op.
 */
export async function rollback(
  ports: EnvironmentPorts,
  command: RollbackCommand,
): Promise<RollbackResult> {
  const interrupted = await findInterrupted(ports, command.resume);
  if (interrupted) {
    // A resumed plan runs under the timeout given now (the old one may be what made it fail).
    const stored = interrupted.doc.plan as unknown as RollbackPlan;
    const plan: RollbackPlan = { ...stored, timeoutMs: command.timeoutMs };
    const requested = interrupted.doc.requestedTo;
    if (
      command.resume ||
      command.to === undefined ||
      command.to === requested ||
      command.to === plan.toVersion
    ) {
      if (command.dryRun) {
        return {
          status: "planned",
          plan,
          outcome: null,
          message: `rollback ${plan.id} was interrupted; running again resumes it`,
        };
      }
      ports.progress.report({
        type: "note",
        message: `resuming ${interrupted.status === "failed" ? "failed" : "interrupted"} rollback ${plan.id} (${plan.fromVersion ?? "-"} → ${plan.toVersion})`,
      });
      return run(ports, plan, interrupted);
    }
    throw new ShipsafeError({
      code: "ROLLBACK_INTERRUPTED",
      kind: "refused",
      message: `rollback ${plan.id} of ${ports.env} to ${plan.toVersion} was interrupted and must finish first`,
      hint: "run shipsafe rollback --resume to finish it, then roll back again",
    });
  }
  if (command.resume) {
    throw new ShipsafeError({
      code: "NOTHING_TO_RESUME",
      kind: "usage",
      message: `no interrupted rollback in ${ports.env}`,
      hint: "start one with shipsafe rollback --to <previous|version|lkg|snapshot:id>",
    });
  }
  const plan = await planRollback(ports, { ...command, to: command.to ?? "previous" });
  if (command.dryRun)
    return { status: "planned", plan, outcome: null, message: "dry run: nothing was changed" };
  await preflight(ports, plan, command);
  if (await alreadyThere(ports, plan)) {
    await ports.record({
      kind: "rollback.noop",
      subject: plan.toVersion,
      data: { reason: command.reason, planId: plan.id },
    });
    return {
      status: "noop",
      plan,
      outcome: null,
      message: `${plan.toVersion} is already active and healthy: nothing to do`,
    };
  }
  const record: RollbackRecord = {
    id: plan.id,
    env: ports.env,
    createdAt: plan.createdAt,
    status: "running",
    doc: { plan: plan as never, requestedTo: command.to ?? "previous" },
  };
  await ports.store.rollbacks.put(record);
  await recordStarted(ports, plan);
  return run(ports, plan, record);
}

async function run(
  ports: EnvironmentPorts,
  plan: RollbackPlan,
  record: RollbackRecord,
): Promise<RollbackResult> {
  const outcome = await executePlan(ports, plan);
  await ports.store.rollbacks.put({
    ...record,
    status: outcome.status,
    doc: { ...record.doc, outcome: outcome as never },
  });
  if (outcome.status === "succeeded") {
    await saveReleaseRecord(ports, plan.toVersion, "active", {
      activatedAt: ports.clock.now().toISOString(),
      activatedBy: `rollback:${plan.id}`,
    });
    if (plan.fromVersion && plan.fromVersion !== plan.toVersion) {
      await saveReleaseRecord(ports, plan.fromVersion, "rolled-back", { rolledBackBy: plan.id });
    }
  }
  await ports.record({
    kind: "rollback.finished",
    subject: plan.toVersion,
    data: {
      planId: plan.id,
      from: plan.fromVersion,
      to: plan.toVersion,
      type: plan.type,
      reason: plan.reason,
      status: outcome.status,
      durationMs: outcome.durationMs,
      resumed: outcome.resumed,
      safetySnapshotId: outcome.safetySnapshotId,
      failure: outcome.failure as never,
    },
    evidence: { plan, outcome } as never,
  });
  const message =
    outcome.status === "succeeded"
      ? `rolled back ${plan.fromVersion ?? "-"} → ${plan.toVersion} in ${(outcome.durationMs / 1000).toFixed(2)}s`
      : `rollback failed at ${outcome.failure?.step}: ${outcome.failure?.message}`;
  return { status: outcome.status, plan, outcome, message };
}

async function findInterrupted(
  ports: EnvironmentPorts,
  includeFailed: boolean,
): Promise<RollbackRecord | undefined> {
  // Plans prepared for approval (docs/policy.md) never ran: the newest rollback that did counts.
  const recent = await ports.store.rollbacks.list({ env: ports.env, limit: 20 });
  const latest = recent.find((record) => record.status !== "prepared");
  if (latest?.status === "running") return latest;
  return includeFailed && latest?.status === "failed" ? latest : undefined;
}

/**
 * Refuses, before anything is stopped, a plan that would discard data without consent, or one whose
 * snapshot does not verify.
 */
async function preflight(
  ports: EnvironmentPorts,
  plan: RollbackPlan,
  command: RollbackCommand,
): Promise<void> {
  const loses = plan.dataLoss !== null && plan.dataLoss.assets.length > 0;
  if (loses && !command.acceptDataLoss && !command.emergency) {
    throw new ShipsafeError({
      code: "DATA_LOSS_NOT_ACCEPTED",
      kind: "refused",
      message: `this Type ${plan.type} rollback would lose data: ${plan.dataLoss?.summary}`,
      hint: "review the plan with --dry-run; then add --accept-data-loss (or --emergency) to run it",
    });
  }
  if (plan.restoreSnapshotId) {
    const check = await ports.snapshots.verify(plan.restoreSnapshotId);
    if (!check.ok) {
      throw new ShipsafeError({
        code: "SNAPSHOT_CORRUPT",
        kind: "runtime",
        message: `snapshot ${plan.restoreSnapshotId} does not verify (${check.problems.join("; ")}); nothing was stopped or changed`,
        hint: "pick another snapshot (shipsafe snapshot list) or roll back the application only",
      });
    }
  }
}

async function alreadyThere(ports: EnvironmentPorts, plan: RollbackPlan): Promise<boolean> {
  if (plan.type === 3 || plan.fromVersion !== plan.toVersion) return false;
  const status = await ports.target.status();
  if (!status.running) return false;
  const probes = await ports.health.probe();
  return probes.every((p) => p.ok);
}

/**
 * Runs a plan made earlier and stored (a policy's prepared plan, once approved or under
 * `--emergency`): the same preflight, record, ledger entries and journal as a new rollback. Its
 * approval accepted the plan as shown, data loss included.
 */
export async function runStoredPlan(
  ports: EnvironmentPorts,
  record: RollbackRecord,
  options: { readonly emergency: boolean; readonly timeoutMs: number },
): Promise<RollbackResult> {
  const stored = record.doc.plan as unknown as RollbackPlan;
  const plan: RollbackPlan = {
    ...stored,
    timeoutMs: options.timeoutMs,
    emergency: stored.emergency || options.emergency,
  };
  await preflight(ports, plan, {
    to: plan.toVersion,
    restoreState: false,
    emergency: plan.emergency,
    reason: plan.reason,
    timeoutMs: plan.timeoutMs,
    dryRun: false,
    resume: false,
    acceptDataLoss: true,
  });
  const running: RollbackRecord = {
    ...record,
    status: "running",
    doc: { ...record.doc, plan: plan as never },
  };
  await ports.store.rollbacks.put(running);
  await recordStarted(ports, plan);
  return run(ports, plan, running);
}

/** The ledger's `rollback.started` entry, with the plan as evidence. */
async function recordStarted(ports: EnvironmentPorts, plan: RollbackPlan): Promise<void> {
  await ports.record({
    kind: "rollback.started",
    subject: plan.toVersion,
    data: {
      planId: plan.id,
      from: plan.fromVersion,
      to: plan.toVersion,
      type: plan.type,
      reason: plan.reason,
      emergency: plan.emergency,
    },
    evidence: plan as never,
  });
}

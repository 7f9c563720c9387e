import { formatDuration } from "../../domain/duration.js";
import { isShipsafeError, ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { StepJournalEntry } from "../../domain/model/records.js";
import type { PlanStep, RollbackPlan } from "../../domain/rollback/plan.js";
import type { EnvironmentPorts } from "../environment.js";
import { runStep } from "./run-step.js";

export interface StepOutcome {
  readonly index: number;
  readonly kind: PlanStep["kind"];
  readonly status: "succeeded" | "failed" | "skipped" | "not_executed";
  readonly durationMs: number;
  readonly detail: JsonObject;
}

export interface PlanOutcome {
  readonly planId: string;
  readonly status: "succeeded" | "failed";
  readonly durationMs: number;
  readonly resumed: boolean;
  readonly steps: readonly StepOutcome[];
  readonly safetySnapshotId: string | null;
  readonly failure: {
    readonly step: string;
    readonly code: string;
    readonly message: string;
  } | null;
}

export type ExecutorPorts = Pick<
  EnvironmentPorts,
  | "env"
  | "migrations"
  | "maintenance"
  | "service"
  | "target"
  | "snapshots"
  | "assets"
  | "store"
  | "health"
  | "healthPolicy"
  | "clock"
  | "sleep"
  | "progress"
  | "record"
>;
type Ports = ExecutorPorts;

/**
 * Runs a plan step by step, journaling each step before and after, so a run killed mid-plan can be
 * resumed: steps the journal shows succeeded are skipped, the rest run again (every step kind is
 * safe to re-run, STEP_KINDS). The whole plan is bounded by `plan.timeoutMs`. A failed step stops
 * the plan: later steps (maintenance-off among them) do not run, so writes stay stopped.
 */
export async function executePlan(ports: Ports, plan: RollbackPlan): Promise<PlanOutcome> {
  const started = ports.clock.now().getTime();
  const deadline = started + plan.timeoutMs;
  const journal = await ports.store.journal.entries(plan.id);
  const done = new Map<number, StepJournalEntry>();
  for (const entry of journal) if (entry.status === "succeeded") done.set(entry.index, entry);
  const resumed = journal.length > 0;
  let safetySnapshotId = findSafetySnapshot(journal);
  const outcomes: StepOutcome[] = [];
  let failure: PlanOutcome["failure"] = null;

  for (const step of plan.steps) {
    const label = `${step.index + 1}/${plan.steps.length} ${step.kind}`;
    if (failure) {
      outcomes.push({
        index: step.index,
        kind: step.kind,
        status: "not_executed",
        durationMs: 0,
        detail: {},
      });
      continue;
    }
    const previous = done.get(step.index);
    if (previous) {
      outcomes.push({
        index: step.index,
        kind: step.kind,
        status: "skipped",
        durationMs: 0,
        detail: { ...previous.detail, resumed: true },
      });
      ports.progress.report({
        type: "step-finished",
        step: label,
        status: "skipped",
        detail: "done before the interruption",
      });
      continue;
    }
    const stepStart = ports.clock.now().getTime();
    await journalStep(ports, plan.id, step, "running", {});
    ports.progress.report({ type: "step-started", step: label, detail: step.description });
    try {
      const remaining = deadline - stepStart;
      const detail = await withDeadline(
        runStep(ports, plan, step, remaining, safetySnapshotId),
        remaining,
        plan,
        step,
      );
      if (typeof detail.safetySnapshotId === "string") safetySnapshotId = detail.safetySnapshotId;
      const durationMs = ports.clock.now().getTime() - stepStart;
      await journalStep(ports, plan.id, step, "succeeded", { ...detail, durationMs });
      outcomes.push({
        index: step.index,
        kind: step.kind,
        status: "succeeded",
        durationMs,
        detail,
      });
      ports.progress.report({
        type: "step-finished",
        step: label,
        status: "succeeded",
        detail: summarize(detail),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const durationMs = ports.clock.now().getTime() - stepStart;
      await journalStep(ports, plan.id, step, "failed", { error: message, durationMs });
      outcomes.push({
        index: step.index,
        kind: step.kind,
        status: "failed",
        durationMs,
        detail: { error: message },
      });
      ports.progress.report({
        type: "step-finished",
        step: label,
        status: "failed",
        detail: message,
      });
      failure = {
        step: step.kind,
        code: isShipsafeError(error) ? error.code : "STEP_FAILED",
        message,
      };
    }
  }
  return {
    planId: plan.id,
    status: failure ? "failed" : "succeeded",
    durationMs: ports.clock.now().getTime() - started,
    resumed,
    steps: outcomes,
    safetySnapshotId,
    failure,
  };
}

function withDeadline<T>(
  work: Promise<T>,
  remainingMs: number,
  plan: RollbackPlan,
  step: PlanStep,
): Promise<T> {
  const overrun = (): ShipsafeError =>
    new ShipsafeError({
      code: "ROLLBACK_TIMEOUT",
      kind: "runtime",
      message: `step ${step.index + 1} (${step.kind}) overran the ${formatDuration(plan.timeoutMs)} rollback timeout`,
      hint: "raise --timeout, or find out why this step is slow (shipsafe rollback --resume finishes the plan)",
    });
  if (remainingMs <= 0) return Promise.reject(overrun());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(overrun()), remainingMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function journalStep(
  ports: Ports,
  planId: string,
  step: PlanStep,
  status: StepJournalEntry["status"],
  detail: JsonObject,
): Promise<void> {
  await ports.store.journal.record({
    rollbackId: planId,
    index: step.index,
    name: step.kind,
    status,
    at: ports.clock.now().toISOString(),
    detail,
  });
}

function findSafetySnapshot(journal: readonly StepJournalEntry[]): string | null {
  for (const entry of journal) {
    if (entry.status === "succeeded" && typeof entry.detail.safetySnapshotId === "string") {
      return entry.detail.safetySnapshotId;
    }
  }
  return null;
}

function summarize(detail: JsonObject): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
}

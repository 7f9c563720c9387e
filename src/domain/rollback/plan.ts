import type { JsonObject } from "../model/json.js";

/**
 * The rollback lifecycle as a table: every step kind, what it does, and whether it is safe to run
 * again after an interruption (the executor re-runs the step that was in flight when it resumes).
 */
export const STEP_KINDS = {
  stop: { description: "stop the running release (stops writes)", rerunnable: true },
  "safety-snapshot": {
    description: "snapshot the current state before anything is overwritten",
    rerunnable: true,
  },
  "restore-state": { description: "restore state from the snapshot", rerunnable: true },
  "switch-release": { description: "point current at the target release", rerunnable: true },
  start: { description: "start the target release", rerunnable: true },
  "verify-health": {
    description: "wait for the service to answer its health checks",
    rerunnable: true,
  },
} as const satisfies Record<string, { description: string; rerunnable: boolean }>;

export type StepKind = keyof typeof STEP_KINDS;

export interface PlanStep {
  readonly index: number;
  readonly kind: StepKind;
  readonly description: string;
  readonly params: JsonObject;
}

/** 1: application only; 2: application, schema stays; 3: full stack (state restored). */
export type RollbackType = 1 | 2 | 3;

export interface TableLoss {
  readonly table: string;
  readonly liveRows: number;
  /** Rows in the snapshot; null when the table does not exist there (it would be dropped). */
  readonly snapshotRows: number | null;
}

export interface DataLoss {
  readonly snapshotId: string;
  readonly snapshotTakenAt: string;
  /** Age of the snapshot when the plan was made: what a restore loses at most (RPO). */
  readonly snapshotAgeMs: number;
  readonly assets: readonly { readonly name: string; readonly tables: readonly TableLoss[] }[];
  readonly summary: string;
}

/** A rollback as data: `--dry-run` prints it, the executor runs it. */
export interface RollbackPlan {
  readonly id: string;
  readonly env: string;
  readonly service: string;
  readonly createdAt: string;
  readonly fromVersion: string | null;
  readonly toVersion: string;
  readonly type: RollbackType;
  readonly reason: string;
  readonly emergency: boolean;
  readonly restoreSnapshotId: string | null;
  readonly dataLoss: DataLoss | null;
  readonly timeoutMs: number;
  readonly warnings: readonly string[];
  readonly steps: readonly PlanStep[];
}

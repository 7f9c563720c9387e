import type { JsonObject } from "../model/json.js";

/**
 * The rollback lifecycle as a table: every step kind, what it does, and whether it is safe to run
 * again after an interruption (the executor re-runs the step that was in flight when it resumes).
 * `touchesState` marks the steps that change the protected data.
 */
export const STEP_KINDS = {
  "maintenance-on": {
    description: "put the service in maintenance mode (stops writes)",
    rerunnable: true,
    touchesState: false,
  },
  stop: {
    description: "stop the running release (stops writes)",
    rerunnable: true,
    touchesState: false,
  },
  "safety-snapshot": {
    description: "snapshot the current state before anything is overwritten",
    rerunnable: true,
    touchesState: false,
  },
  "migrate-down": {
    description: "revert the migrations the target release does not ship, newest first",
    // Reverting "every migration after <to>" reverts only what is still applied.
    rerunnable: true,
    touchesState: true,
  },
  "restore-state": {
    description: "restore state from the snapshot",
    rerunnable: true,
    touchesState: true,
  },
  "switch-release": {
    description: "point current at the target release",
    rerunnable: true,
    touchesState: false,
  },
  start: { description: "start the target release", rerunnable: true, touchesState: false },
  "verify-health": {
    description: "wait for the service to answer its health checks",
    rerunnable: true,
    touchesState: false,
  },
  "maintenance-off": {
    description: "lift maintenance mode (writes resume)",
    rerunnable: true,
    touchesState: false,
  },
} as const satisfies Record<
  string,
  { description: string; rerunnable: boolean; touchesState: boolean }
>;

export type StepKind = keyof typeof STEP_KINDS;

export interface PlanStep {
  readonly index: number;
  readonly kind: StepKind;
  readonly description: string;
  readonly params: JsonObject;
}

/**
 * 1: application only (no migrations in between); 2: application, schema stays (every migration in
 * between is additive); 3: full stack (down-migrations run, or state restored).
 */
export type RollbackType = 1 | 2 | 3;

/** How a Type 3 plan brings the state back (null for Types 1 and 2). */
export type StateMethod = "down-migrations" | "restore";

export interface TableLoss {
  readonly table: string;
  readonly liveRows: number;
  /** Rows in the snapshot; null when the table does not exist there (it would be dropped). */
  readonly snapshotRows: number | null;
  /** Columns a down-migration drops: their values in every live row are lost. */
  readonly columns?: readonly string[];
}

export interface DataLoss {
  /** What discards the data: restoring a snapshot, or the down-migrations' own effect. */
  readonly method: StateMethod;
  /** The snapshot restored; null for down-migrations. */
  readonly snapshotId: string | null;
  readonly snapshotTakenAt: string | null;
  /** Age of the snapshot when the plan was made: what a restore loses at most (RPO). */
  readonly snapshotAgeMs: number | null;
  /** Rows per table that would be lost (empty: none counted). */
  readonly assets: readonly { readonly name: string; readonly tables: readonly TableLoss[] }[];
  readonly summary: string;
}

/** The target release's snapshot and how old it is when the plan is made. */
export interface SnapshotAge {
  readonly snapshotId: string;
  readonly takenAt: string;
  readonly ageMs: number;
}

/** One migration between the current release and the target, as the plan saw it. */
export interface PlannedMigration {
  readonly id: string;
  readonly verdict: "additive" | "breaking" | "unknown";
  /** `reversible`, `non-reversible`, or null when it was not checked (not needed for the type). */
  readonly reversible: "reversible" | "non-reversible" | null;
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
  /** Why this type: which migration and statement made it Type 3, what the downs do, ... */
  readonly typeReasons: readonly string[];
  /** How a Type 3 plan brings the state back; null for Types 1 and 2. */
  readonly stateMethod: StateMethod | null;
  /** The migrations the live database has applied that the target release does not ship. */
  readonly migrations: readonly PlannedMigration[];
  readonly reason: string;
  readonly emergency: boolean;
  readonly restoreSnapshotId: string | null;
  readonly dataLoss: DataLoss | null;
  /** The target release's snapshot (restored or not) and its age; null when there is none. */
  readonly snapshotAge: SnapshotAge | null;
  readonly timeoutMs: number;
  readonly warnings: readonly string[];
  readonly steps: readonly PlanStep[];
}

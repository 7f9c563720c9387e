import { ShipsafeError } from "../errors.js";
import {
  chooseRollbackType,
  type MigrationBetween,
  type MigrationFacts,
} from "./choose-rollback-type.js";
import { downMigrationLoss, restoreLoss } from "./describe-loss.js";
import type { PlanStep, RollbackPlan, SnapshotAge, StepKind } from "./plan.js";
import { STEP_KINDS } from "./plan.js";
import { type AssetState, schemaDifferences } from "./state-facts.js";

export type { MigrationBetween, MigrationFacts } from "./choose-rollback-type.js";

/** The snapshot a rollback could restore: the newest one taken while the target version ran. */
export interface CandidateSnapshot {
  readonly id: string;
  readonly takenAt: string;
  readonly assets: readonly AssetState[];
}

/**
 * How writes stop: `stop` (the default) — stopping the process stops them, so the plan has no
 * maintenance steps; `command` / `http` — a maintenance mode switched on first and off last
 * (`on` / `off` describe the call, for the plan).
 */
export type MaintenanceFacts =
  | { readonly kind: "stop" }
  | { readonly kind: "command" | "http"; readonly on: string; readonly off: string };

export interface RollbackFacts {
  readonly id: string;
  readonly env: string;
  readonly service: string;
  /** ISO time the plan is made. */
  readonly now: string;
  readonly currentVersion: string | null;
  readonly toVersion: string;
  readonly reason: string;
  readonly emergency: boolean;
  readonly timeoutMs: number;
  /** Restore state from `snapshot` whatever the migrations say (`--restore-state`, `snapshot:<id>`). */
  readonly restoreState: boolean;
  readonly snapshot: CandidateSnapshot | null;
  /** The live state now (row counts, schema version), to state what a restore would lose. */
  readonly live: readonly AssetState[];
  /** The migrations between the current release and the target; null when none are tracked. */
  readonly migrations: MigrationFacts | null;
  readonly maintenance: MaintenanceFacts;
}

/** Builds the rollback plan from the facts. Pure: same facts, same plan; throws only to refuse. */
export function buildRollbackPlan(facts: RollbackFacts): RollbackPlan {
  const decision = chooseRollbackType({
    fromVersion: facts.currentVersion,
    toVersion: facts.toVersion,
    explicitRestore: facts.restoreState
      ? `a restore of the snapshot taken while ${facts.toVersion} ran was asked for`
      : null,
    migrations: facts.migrations,
  });
  const restores = decision.method === "restore";
  if (restores && !facts.snapshot) throw noSnapshot(facts, decision.reasons);
  const warnings: string[] = [];
  const differences = facts.snapshot ? schemaDifferences(facts.snapshot.assets, facts.live) : [];
  if (decision.type === 1 && differences.length > 0 && facts.snapshot) {
    warnings.push(
      `the schema differs from when ${facts.toVersion} ran (${differences.join("; ")}): ${facts.toVersion} will run on the schema as it is now; add --restore-state to restore snapshot ${facts.snapshot.id}`,
    );
  }
  const between = facts.migrations?.between ?? [];
  const kinds = stepKinds(decision.method, facts.maintenance);
  const steps: PlanStep[] = kinds.map((kind, index) => ({
    index,
    kind,
    description: STEP_KINDS[kind].description,
    params: stepParams(kind, facts, between),
  }));
  const snapshotAge: SnapshotAge | null = facts.snapshot
    ? {
        snapshotId: facts.snapshot.id,
        takenAt: facts.snapshot.takenAt,
        ageMs: Math.max(0, Date.parse(facts.now) - Date.parse(facts.snapshot.takenAt)),
      }
    : null;
  const dataLoss =
    restores && facts.snapshot
      ? restoreLoss(facts.now, facts.snapshot, facts.live)
      : decision.method === "down-migrations"
        ? downMigrationLoss(between, facts.live)
        : null;
  return {
    id: facts.id,
    env: facts.env,
    service: facts.service,
    createdAt: facts.now,
    fromVersion: facts.currentVersion,
    toVersion: facts.toVersion,
    type: decision.type,
    typeReasons: decision.reasons,
    stateMethod: decision.method,
    migrations: between.map((m) => ({
      id: m.id,
      verdict: m.classification.verdict,
      reversible: m.reversibility?.status ?? null,
    })),
    reason: facts.reason,
    emergency: facts.emergency,
    restoreSnapshotId: restores && facts.snapshot ? facts.snapshot.id : null,
    dataLoss,
    snapshotAge,
    timeoutMs: facts.timeoutMs,
    warnings,
    steps,
  };
}

/**
 * Writes stop first (maintenance on, then the process stops) and resume last (maintenance off after
 * health is verified); state changes only after a safety snapshot.
 */
function stepKinds(method: RollbackPlan["stateMethod"], maintenance: MaintenanceFacts): StepKind[] {
  const state: StepKind[] =
    method === "restore"
      ? ["safety-snapshot", "restore-state"]
      : method === "down-migrations"
        ? ["safety-snapshot", "migrate-down"]
        : [];
  const core: StepKind[] = ["stop", ...state, "switch-release", "start", "verify-health"];
  return maintenance.kind === "stop" ? core : ["maintenance-on", ...core, "maintenance-off"];
}

function stepParams(
  kind: StepKind,
  facts: RollbackFacts,
  between: readonly MigrationBetween[],
): PlanStep["params"] {
  switch (kind) {
    case "switch-release":
    case "start":
      return { version: facts.toVersion };
    case "restore-state":
      return { snapshotId: facts.snapshot?.id ?? null };
    case "safety-snapshot":
      return { reason: `safety:${facts.id}` };
    case "migrate-down":
      return {
        release: facts.currentVersion,
        to: facts.migrations?.targetHead ?? null,
        revert: between.map((m) => m.id).reverse(),
      };
    case "maintenance-on":
    case "maintenance-off":
      return facts.maintenance.kind === "stop"
        ? {}
        : {
            via: facts.maintenance.kind,
            call: kind === "maintenance-on" ? facts.maintenance.on : facts.maintenance.off,
          };
    default:
      return {};
  }
}

function noSnapshot(facts: RollbackFacts, reasons: readonly string[]): ShipsafeError {
  const why = facts.restoreState ? "" : ` (needed because ${reasons.join("; ")})`;
  return new ShipsafeError({
    code: "NO_SNAPSHOT_FOR_VERSION",
    kind: "refused",
    message: `no snapshot of the state of ${facts.env} taken while ${facts.toVersion} was running${why}`,
    hint: facts.restoreState
      ? "roll back the application only (without --restore-state), or pick one with --to snapshot:<id> (see shipsafe snapshot list)"
      : "pick a snapshot with --to snapshot:<id> (see shipsafe snapshot list), or give the migrations a down-migration that passes shipsafe migrate verify",
  });
}

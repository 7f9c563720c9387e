import { formatDuration } from "../duration.js";
import { ShipsafeError } from "../errors.js";
import type { DataLoss, PlanStep, RollbackPlan, StepKind, TableLoss } from "./plan.js";
import { STEP_KINDS } from "./plan.js";
import { type AssetState, schemaDifferences } from "./state-facts.js";

/** The snapshot a rollback could restore: the newest one taken while the target version ran. */
export interface CandidateSnapshot {
  readonly id: string;
  readonly takenAt: string;
  readonly assets: readonly AssetState[];
}

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
  /** Restore state from `snapshot` (Type 3). */
  readonly restoreState: boolean;
  readonly snapshot: CandidateSnapshot | null;
  /** The live state now (row counts, schema version), to state what a restore would lose. */
  readonly live: readonly AssetState[];
}

/** Builds the rollback plan from the facts. Pure: same facts, same plan. */
export function buildRollbackPlan(facts: RollbackFacts): RollbackPlan {
  if (facts.restoreState && !facts.snapshot) {
    throw new ShipsafeError({
      code: "NO_SNAPSHOT_FOR_VERSION",
      kind: "refused",
      message: `no snapshot of the state of ${facts.env} taken while ${facts.toVersion} was running`,
      hint: "roll back the application only (without --restore-state), or pick one with --to snapshot:<id> (see shipsafe snapshot list)",
    });
  }
  const warnings: string[] = [];
  const differences = facts.snapshot ? schemaDifferences(facts.snapshot.assets, facts.live) : [];
  if (!facts.restoreState && differences.length > 0 && facts.snapshot) {
    warnings.push(
      `the schema differs from when ${facts.toVersion} ran (${differences.join("; ")}): ${facts.toVersion} will run on the schema as it is now; add --restore-state to restore snapshot ${facts.snapshot.id}`,
    );
  }
  const kinds: StepKind[] = facts.restoreState
    ? ["stop", "safety-snapshot", "restore-state", "switch-release", "start", "verify-health"]
    : ["stop", "switch-release", "start", "verify-health"];
  const steps: PlanStep[] = kinds.map((kind, index) => ({
    index,
    kind,
    description: STEP_KINDS[kind].description,
    params: stepParams(kind, facts),
  }));
  const dataLoss =
    facts.restoreState && facts.snapshot ? describeLoss(facts, facts.snapshot) : null;
  return {
    id: facts.id,
    env: facts.env,
    service: facts.service,
    createdAt: facts.now,
    fromVersion: facts.currentVersion,
    toVersion: facts.toVersion,
    type: facts.restoreState ? 3 : 1,
    reason: facts.reason,
    emergency: facts.emergency,
    restoreSnapshotId: facts.restoreState && facts.snapshot ? facts.snapshot.id : null,
    dataLoss,
    timeoutMs: facts.timeoutMs,
    warnings,
    steps,
  };
}

function stepParams(kind: StepKind, facts: RollbackFacts): PlanStep["params"] {
  switch (kind) {
    case "switch-release":
    case "start":
      return { version: facts.toVersion };
    case "restore-state":
      return { snapshotId: facts.snapshot?.id ?? null };
    case "safety-snapshot":
      return { reason: `safety:${facts.id}` };
    default:
      return {};
  }
}

function describeLoss(facts: RollbackFacts, snapshot: CandidateSnapshot): DataLoss {
  const ageMs = Math.max(0, Date.parse(facts.now) - Date.parse(snapshot.takenAt));
  const assets = facts.live.map((live) => {
    const before = snapshot.assets.find((a) => a.name === live.name);
    const tables: TableLoss[] = [];
    for (const [table, liveRows] of Object.entries(live.tables ?? {})) {
      const snapshotRows = before?.tables?.[table] ?? null;
      if (snapshotRows === null || liveRows > snapshotRows) {
        tables.push({ table, liveRows, snapshotRows });
      }
    }
    return { name: live.name, tables };
  });
  const parts = assets.flatMap((a) =>
    a.tables.map((t) =>
      t.snapshotRows === null
        ? `table ${a.name}.${t.table} (${t.liveRows} rows; not in the snapshot)`
        : `${t.liveRows - t.snapshotRows} rows in ${a.name}.${t.table}`,
    ),
  );
  const age = formatDuration(ageMs);
  const summary =
    parts.length === 0
      ? `restoring snapshot ${snapshot.id} (taken ${age} ago) discards no counted rows; changes to existing rows since then are lost`
      : `restoring snapshot ${snapshot.id} (taken ${age} ago) discards at least ${joinAnd(parts)}; changes to existing rows since then are lost`;
  return {
    snapshotId: snapshot.id,
    snapshotTakenAt: snapshot.takenAt,
    snapshotAgeMs: ageMs,
    assets: assets.filter((a) => a.tables.length > 0),
    summary,
  };
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1
    ? parts.join("")
    : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

import type { MigrationClassification, Reversibility } from "../migrations/migration.js";
import type { RollbackType, StateMethod } from "./plan.js";

/** One migration the live database has applied that the target release does not ship. */
export interface MigrationBetween {
  readonly id: string;
  readonly classification: MigrationClassification;
  /** The round-trip check's outcome; null when it was not run (every migration additive). */
  readonly reversibility: Reversibility | null;
  /** The down-migration's SQL when the source can show it (sql-dir), to state what it drops. */
  readonly downSql: string | null;
}

/** What the planner knows about migrations; null in the facts when none are tracked. */
export interface MigrationFacts {
  /** In apply order. */
  readonly between: readonly MigrationBetween[];
  /** The newest applied migration the target release ships: the downs revert every one after it. */
  readonly targetHead: string | null;
}

export interface TypeDecision {
  readonly type: RollbackType;
  readonly method: StateMethod | null;
  readonly reasons: readonly string[];
}

/**
 * Chooses the rollback type from the migrations in between: none → 1, all additive → 2, any
 * breaking or unknown → 3, by down-migrations when every one passed the round-trip check, else by
 * restore. An explicit restore (`--restore-state`, `--to snapshot:<id>`) is always Type 3 by restore.
 */
export function chooseRollbackType(input: {
  readonly fromVersion: string | null;
  readonly toVersion: string;
  readonly explicitRestore: string | null;
  readonly migrations: MigrationFacts | null;
}): TypeDecision {
  const between = input.migrations?.between ?? [];
  const harmful = between.filter((m) => m.classification.verdict !== "additive");
  // The reasons name what made the type: the harmful migrations, or all of them when all are additive.
  const verdicts = (harmful.length > 0 ? harmful : between).flatMap(verdictReasons);
  if (input.explicitRestore !== null) {
    return { type: 3, method: "restore", reasons: [input.explicitRestore, ...verdicts] };
  }
  if (input.migrations === null) {
    return {
      type: 1,
      method: null,
      reasons: [
        "migrations are not tracked (no `migrations` in this environment's config): the application only",
      ],
    };
  }
  if (between.length === 0) {
    return {
      type: 1,
      method: null,
      reasons: [
        `no migrations between ${input.fromVersion ?? "the live database"} and ${input.toVersion}: the application only`,
      ],
    };
  }
  if (harmful.length === 0) {
    return {
      type: 2,
      method: null,
      reasons: [
        ...verdicts,
        `every migration in between is additive: the schema stays and ${input.toVersion} runs on it`,
      ],
    };
  }
  const notReversible = between.filter((m) => m.reversibility?.status !== "reversible");
  if (notReversible.length === 0) {
    return {
      type: 3,
      method: "down-migrations",
      reasons: [
        ...verdicts,
        `every migration in between has a down-migration that passed the round-trip check: they run newest first after a safety snapshot`,
      ],
    };
  }
  return {
    type: 3,
    method: "restore",
    reasons: [
      ...verdicts,
      ...notReversible.map(
        (m) =>
          `${m.id} cannot be reverted by its down-migration (${m.reversibility?.reason ?? "round-trip check not run"}): the snapshot of ${input.toVersion} is restored`,
      ),
    ],
  };
}

/** `0002_x is breaking: statement 3 "ALTER TABLE …" renames column orders.qty` per deciding statement. */
function verdictReasons(migration: MigrationBetween): string[] {
  const { verdict, statements } = migration.classification;
  const deciding = statements.filter((s) => s.verdict === verdict);
  if (deciding.length === 0) return [`${migration.id} is ${verdict}`];
  return deciding.map((s) =>
    s.statement === ""
      ? `${migration.id} is ${verdict}: ${s.reason}`
      : `${migration.id} is ${verdict}: statement ${s.index + 1} "${s.statement}" ${s.reason}`,
  );
}

import type { AppliedMigration, MigrationState } from "../../domain/migrations/migration.js";

/** The database's applied migrations (in apply order) against the ids a release ships. */
export function migrationState(
  shipped: readonly string[],
  applied: readonly AppliedMigration[],
): MigrationState {
  const appliedIds = new Set(applied.map((m) => m.id));
  const shippedIds = new Set(shipped);
  const times = applied.map((m) => m.appliedAt).filter((at): at is string => at !== null);
  return {
    head: applied.at(-1)?.id ?? null,
    applied: applied.map((m) => ({ id: m.id, appliedAt: m.appliedAt })),
    pending: shipped.filter((id) => !appliedIds.has(id)),
    unknownApplied: applied.filter((m) => !shippedIds.has(m.id)).map((m) => m.id),
    lastAppliedAt: times.sort().at(-1) ?? null,
  };
}

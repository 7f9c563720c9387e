import { ShipsafeError } from "../../domain/errors.js";
import type { MigrationState } from "../../domain/migrations/migration.js";

/** What `migrate up|down` would run, computed from the migration state before anything runs. */
export interface MigrationPlan {
  readonly direction: "up" | "down";
  /** The release whose migrations are used. */
  readonly version: string;
  /** The head before the run. */
  readonly from: string | null;
  /** The migrations to apply (up, in order) or revert (down, newest first). */
  readonly migrations: readonly string[];
  /** The head after the run. */
  readonly to: string | null;
}

/** Pending migrations of the release, all or up to and including `to`. */
export function planUp(version: string, state: MigrationState, to?: string): MigrationPlan {
  let migrations = state.pending;
  if (to !== undefined) {
    const index = state.pending.indexOf(to);
    if (index < 0 && !state.applied.some((m) => m.id === to)) {
      throw new ShipsafeError({
        code: "MIGRATION_UNKNOWN",
        kind: "usage",
        message: `migration ${to} is neither pending nor applied for release ${version} (pending: ${state.pending.join(", ") || "none"})`,
        hint: "pass --to an id that shipsafe migrate status lists",
      });
    }
    migrations = index < 0 ? [] : state.pending.slice(0, index + 1);
  }
  return {
    direction: "up",
    version,
    from: state.head,
    migrations,
    to: migrations.at(-1) ?? state.head,
  };
}

/** Applied migrations to revert, newest first: `count` of them, or every one after `to`. */
export function planDown(
  version: string,
  state: MigrationState,
  options: { readonly count: number } | { readonly to: string | null },
): MigrationPlan {
  const applied = state.applied.map((m) => m.id);
  let keep: number;
  if ("count" in options) {
    if (options.count > applied.length) {
      throw new ShipsafeError({
        code: "MIGRATION_DOWN_TOO_MANY",
        kind: "usage",
        message: `cannot revert ${options.count} migrations: ${applied.length} are applied`,
        hint: `use --count ${applied.length} or less (shipsafe migrate status lists them)`,
      });
    }
    keep = applied.length - options.count;
  } else if (options.to === null) {
    keep = 0;
  } else {
    const index = applied.indexOf(options.to);
    if (index < 0) {
      throw new ShipsafeError({
        code: "MIGRATION_NOT_APPLIED",
        kind: "usage",
        message: `migration ${options.to} is not applied (applied: ${applied.join(", ") || "none"})`,
        hint: "pass --to an applied migration id (it stays applied; the ones after it are reverted)",
      });
    }
    keep = index + 1;
  }
  return {
    direction: "down",
    version,
    from: state.head,
    migrations: applied.slice(keep).reverse(),
    to: applied[keep - 1] ?? null,
  };
}

import type {
  AppliedMigration,
  MigrationInfo,
  MigrationState,
} from "../domain/migrations/migration.js";
import type { Progress } from "./progress.js";

/** What one migration run did, migration by migration. */
export interface MigrationRun {
  readonly direction: "up" | "down";
  /** The migrations applied (up) or reverted (down), in the order they ran. */
  readonly migrations: readonly AppliedMigration[];
  /** The head after the run. */
  readonly head: string | null;
}

/** The SQL of one migration, for sources that have it (sql-dir); command sources return null. */
export interface MigrationSql {
  readonly up: string;
  readonly down: string | null;
}

/**
 * Applies and reverts a service's migrations against its live database. `releaseDir` is the
 * release's directory on the target: the migrations a release ships live in it (config `dir` is
 * relative to it).
 */
export interface MigrationRunner {
  readonly kind: "sql-dir" | "command";
  /** The migrations `releaseDir` ships, in apply order. */
  list(releaseDir: string): Promise<MigrationInfo[]>;
  /** The database's applied migrations against what `releaseDir` ships. */
  status(releaseDir: string): Promise<MigrationState>;
  /**
   * Applies pending migrations (all, or up to and including `to`), each reported to `progress` as
   * a step `migrate <id>`. A failure stops the run: the migrations before it stay applied.
   */
  up(
    releaseDir: string,
    options?: { readonly to?: string; readonly progress?: Progress },
  ): Promise<MigrationRun>;
  /**
   * Reverts applied migrations, newest first: `count` of them, or every one after `to` (`to`
   * itself stays applied; `to: null` reverts all).
   */
  down(
    releaseDir: string,
    options: ({ readonly count: number } | { readonly to: string | null }) & {
      readonly progress?: Progress;
    },
  ): Promise<MigrationRun>;
  /** The SQL of one migration, or null when the source cannot show it. */
  sql(releaseDir: string, id: string): Promise<MigrationSql | null>;
}

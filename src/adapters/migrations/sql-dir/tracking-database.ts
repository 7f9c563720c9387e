/** The tracking table every `sql-dir` database keeps: one row per applied migration. */
export const TRACKING_TABLE = "shipsafe_migrations";

/** A row of `shipsafe_migrations`. */
export interface TrackedMigration {
  readonly id: string;
  readonly name: string;
  /** sha256 of the up file when it was applied. */
  readonly checksum: string;
  /** ISO time. */
  readonly appliedAt: string;
  /** The down SQL as shipped when the migration was applied (null: it had none). */
  readonly downSql: string | null;
}

/** One migration's SQL with the file it came from (named in errors). */
export interface MigrationScript {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  /** Why it runs outside a transaction (the statement), or null: it runs in one. */
  readonly noTransaction: string | null;
}

/**
 * What the `sql-dir` runner needs of a database: the tracking table and running a script together
 * with its tracking change — in one transaction unless the script says it cannot be.
 */
export interface TrackingDatabase {
  /** Where the database is, safe to show (no password). */
  readonly label: string;
  /** Applied migrations in id order (creates the tracking table if it is missing). */
  applied(): Promise<TrackedMigration[]>;
  /** Runs an up script and inserts its tracking row. */
  apply(script: MigrationScript, row: Omit<TrackedMigration, "appliedAt">): Promise<void>;
  /** Runs a down script and deletes the tracking row of `script.id`. */
  revert(script: MigrationScript): Promise<void>;
}

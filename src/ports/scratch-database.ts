import type { DatabaseSchema } from "../domain/schema/schema.js";

/** A throwaway copy of a service's database: migrations are tried here, never on the live one. */
export interface ScratchDatabase {
  /** Runs SQL (one or more statements) on the copy; rejects with the database's error. */
  exec(sql: string): Promise<void>;
  /** Reads the copy's schema. */
  schema(): Promise<DatabaseSchema>;
  /** Removes the copy. Safe to call twice. */
  drop(): Promise<void>;
}

/** Where scratch copies come from. */
export interface ScratchDatabases {
  readonly dialect: "sqlite" | "postgres";
  /**
   * A copy of the live database (read, never written), or of the database as snapshot
   * `snapshotId` holds it.
   */
  create(from?: { readonly snapshotId?: string }): Promise<ScratchDatabase>;
}

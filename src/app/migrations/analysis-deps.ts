import type { MigrationSql } from "../../ports/migration-runner.js";
import type { ScratchDatabase, ScratchDatabases } from "../../ports/scratch-database.js";
import type { SqlParser } from "../../ports/sql-parser.js";

/** What the classification and the round trip work with. */
export interface AnalysisDeps {
  /** A migration's SQL as the release ships it; null when the source does not show SQL. */
  readonly sqlOf: (id: string) => Promise<MigrationSql | null>;
  readonly parser: SqlParser;
  readonly scratch: ScratchDatabases;
}

/** Where a scratch copy starts: a snapshot when given, else the live database. */
export interface ScratchSource {
  readonly snapshotId?: string;
}

/** Runs `body` on a fresh scratch copy and always drops it, also when `body` throws. */
export async function withScratch<T>(
  scratch: ScratchDatabases,
  source: ScratchSource,
  body: (db: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const db = await scratch.create(source.snapshotId ? { snapshotId: source.snapshotId } : {});
  try {
    return await body(db);
  } finally {
    await db.drop();
  }
}

export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

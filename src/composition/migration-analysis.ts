import { createPostgresScratchDatabases } from "../adapters/schema/postgres/postgres-scratch-databases.js";
import { createSqliteScratchDatabases } from "../adapters/schema/sqlite/sqlite-scratch-databases.js";
import { createPgQueryParser } from "../adapters/sql-parser/pg-query/pg-query-parser.js";
import { createMigrationAnalysis } from "../app/migrations/analysis-sql.js";
import { ShipsafeError } from "../domain/errors.js";
import type { MigrationAnalysis } from "../ports/migration-analysis.js";
import type { MigrationRunner } from "../ports/migration-runner.js";
import type { ScratchDatabases } from "../ports/scratch-database.js";
import type { SnapshotStore } from "../ports/snapshot-store.js";

/** The database the migrations run against, and the state asset that snapshots it. */
export type MigrationDatabase =
  | { readonly kind: "sqlite"; readonly path: string; readonly assetName: string }
  | { readonly kind: "postgres"; readonly url: string; readonly assetName: string };

/**
 * MigrationAnalysis for one environment: the migration source's SQL, PostgreSQL's parser, and
 * scratch copies of the environment's database (from the live one, or from a snapshot).
 */
export function openMigrationAnalysis(options: {
  readonly runner: MigrationRunner;
  /** Undefined for a command source with no single database: nothing to copy (no SQL either). */
  readonly database: MigrationDatabase | undefined;
  readonly snapshots: SnapshotStore;
}): MigrationAnalysis {
  const { database, snapshots } = options;
  const scratch: ScratchDatabases =
    database === undefined
      ? noScratchDatabase
      : database.kind === "sqlite"
        ? createSqliteScratchDatabases({
            path: database.path,
            assetName: database.assetName,
            snapshots,
          })
        : createPostgresScratchDatabases({
            url: database.url,
            assetName: database.assetName,
            snapshots,
          });
  return createMigrationAnalysis({
    runner: options.runner,
    parser: createPgQueryParser(),
    scratch,
  });
}

/** For a migration source with no known database: any attempt to copy it says why it cannot. */
const noScratchDatabase: ScratchDatabases = {
  dialect: "sqlite",
  create: async () => {
    throw new ShipsafeError({
      code: "MIGRATIONS_NO_DATABASE",
      kind: "config",
      message:
        "no database to copy for a migration check: the environment has no single sqlite or postgres state asset",
      hint: "add the migrated database under state: (docs/config.md#state)",
    });
  },
};

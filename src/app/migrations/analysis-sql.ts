import type { MigrationAnalysis } from "../../ports/migration-analysis.js";
import type { MigrationRunner } from "../../ports/migration-runner.js";
import type { ScratchDatabases } from "../../ports/scratch-database.js";
import type { SqlParser } from "../../ports/sql-parser.js";
import { classifyMigrations } from "./classify-migrations.js";
import { verifyReversible } from "./verify-reversible.js";

export interface MigrationAnalysisDeps {
  /** The environment's migration source: its `sql()` gives each migration's up/down SQL. */
  readonly runner: Pick<MigrationRunner, "sql">;
  readonly parser: SqlParser;
  /** Scratch copies of the environment's database (never the live one). */
  readonly scratch: ScratchDatabases;
}

/**
 * MigrationAnalysis over a migration source's SQL: the static pass plus the truth test for
 * `classify`, up → down → up for `verifyReversible`, both on scratch copies. A source that shows no
 * SQL (command sources) gets `unknown` and `non-reversible` with the reason said.
 */
export function createMigrationAnalysis(deps: MigrationAnalysisDeps): MigrationAnalysis {
  const analysisDeps = (releaseDir: string) => ({
    sqlOf: (id: string) => deps.runner.sql(releaseDir, id),
    parser: deps.parser,
    scratch: deps.scratch,
  });
  return {
    classify: (releaseDir, ids, options) =>
      classifyMigrations(analysisDeps(releaseDir), ids, options ?? {}),
    verifyReversible: (releaseDir, ids, options) =>
      verifyReversible(analysisDeps(releaseDir), ids, options ?? {}),
  };
}

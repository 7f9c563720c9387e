import {
  judgeMigration,
  type StatementEvidence,
  unjudgedMigration,
} from "../../domain/migrations/judge-migration.js";
import type { MigrationClassification } from "../../domain/migrations/migration.js";
import type { ParsedStatement } from "../../domain/migrations/parsed-statement.js";
import type { DatabaseSchema } from "../../domain/schema/schema.js";
import { diffSchemas } from "../../domain/schema/schema-diff.js";
import type { ScratchDatabase } from "../../ports/scratch-database.js";
import { type AnalysisDeps, errorText, type ScratchSource, withScratch } from "./analysis-deps.js";

export const NO_SQL_REASON = "the command source does not expose SQL";

interface Parsed {
  readonly id: string;
  readonly statements: readonly ParsedStatement[] | null;
}

/**
 * Classifies migrations `ids` (in apply order): the parser's static pass over every statement,
 * then the truth test — each statement run in order on one scratch copy, the schema read after each
 * and diffed, so every schema change is charged to the statement that made it. After a statement
 * fails (or a migration has no SQL) the copy no longer stands for the real database: the
 * migrations from there on keep the static pass only.
 */
export async function classifyMigrations(
  deps: AnalysisDeps,
  ids: readonly string[],
  source: ScratchSource = {},
): Promise<MigrationClassification[]> {
  const parsed: Parsed[] = [];
  for (const id of ids) {
    const sql = await deps.sqlOf(id);
    parsed.push({ id, statements: sql ? await deps.parser.parse(sql.up) : null });
  }
  if (parsed.every((m) => m.statements === null)) {
    return parsed.map((m) => unjudgedMigration(m.id, NO_SQL_REASON));
  }
  return withScratch(deps.scratch, source, async (db) => {
    let schema: DatabaseSchema | undefined = await db.schema();
    const results: MigrationClassification[] = [];
    for (const migration of parsed) {
      if (!migration.statements) {
        results.push(unjudgedMigration(migration.id, NO_SQL_REASON));
        schema = undefined;
        continue;
      }
      const truthTested = schema !== undefined;
      const evidence: StatementEvidence[] = [];
      for (const statement of migration.statements) {
        if (!schema) {
          evidence.push({ statement });
          continue;
        }
        const run = await runStatement(db, statement, schema);
        evidence.push(run.evidence);
        schema = run.after;
      }
      results.push(judgeMigration(migration.id, evidence, truthTested));
    }
    return results;
  });
}

async function runStatement(
  db: ScratchDatabase,
  statement: ParsedStatement,
  before: DatabaseSchema,
): Promise<{ evidence: StatementEvidence; after: DatabaseSchema | undefined }> {
  // BEGIN/COMMIT change no schema; run alone they would only open or warn about a transaction.
  if (statement.tree && "TransactionStmt" in statement.tree) {
    return { evidence: { statement, changes: [] }, after: before };
  }
  try {
    await db.exec(statement.sql);
  } catch (error) {
    return { evidence: { statement, runError: errorText(error) }, after: undefined };
  }
  const after = await db.schema();
  return { evidence: { statement, changes: diffSchemas(before, after) }, after };
}

import type { SchemaChange } from "../schema/schema-diff.js";
import { classifyStatement, type StaticJudgement } from "./classify-statement.js";
import {
  type MigrationClassification,
  type MigrationVerdict,
  type StatementVerdict,
  VERDICT_RANK,
} from "./migration.js";
import { type ParsedStatement, statementLabel } from "./parsed-statement.js";

/** What is known about one statement: the parser's view and, when it ran, the scratch copy's. */
export interface StatementEvidence {
  readonly statement: ParsedStatement;
  /** The schema changes running it made on the scratch copy; undefined when it was not run. */
  readonly changes?: readonly SchemaChange[];
  /** Why running it on the scratch copy failed. */
  readonly runError?: string;
}

/** The static pass for one statement; a statement the parser rejected is `unknown`. */
export function staticJudgement(statement: ParsedStatement): StaticJudgement {
  if (statement.tree) return classifyStatement(statement.tree);
  return {
    verdict: "unknown",
    reason: `the PostgreSQL parser cannot read it: ${statement.error ?? "no parse tree"}`,
    schemaOnly: false,
  };
}

const joined = (changes: readonly SchemaChange[]): string =>
  changes.map((c) => c.reason).join("; ");

/**
 * Combines the two passes for one statement. Breaking from either wins. A statement that failed on
 * the scratch copy is unknown. An additive static verdict stands when the diff agrees. An unknown
 * static verdict is settled by the diff only when the statement's whole effect is on the schema;
 * data changes, DO blocks and anything the parser rejected stay unknown.
 */
export function judgeStatement(evidence: StatementEvidence): StatementVerdict {
  const { statement, changes, runError } = evidence;
  const byParser = staticJudgement(statement);
  const breaking = (changes ?? []).filter((c) => c.effect === "breaking");
  const seen = changes && changes.length > 0 ? ` [schema diff: ${joined(changes)}]` : "";
  const verdict = (v: MigrationVerdict, reason: string): StatementVerdict => ({
    index: statement.index,
    statement: statementLabel(statement.sql),
    verdict: v,
    reason,
  });
  if (byParser.verdict === "breaking") return verdict("breaking", byParser.reason + seen);
  if (breaking.length > 0) {
    return verdict("breaking", `${joined(breaking)} [static: ${byParser.reason}]`);
  }
  if (runError !== undefined) {
    return verdict(
      "unknown",
      `fails on the scratch copy: ${runError} [static: ${byParser.reason}]`,
    );
  }
  if (byParser.verdict === "additive") return verdict("additive", byParser.reason + seen);
  if (byParser.schemaOnly && changes !== undefined) {
    const what = changes.length > 0 ? joined(changes) : "no schema change";
    return verdict("additive", `${what} [static: ${byParser.reason}]`);
  }
  return verdict("unknown", byParser.reason + seen);
}

/**
 * A migration is as bad as its worst statement; the statements that decided come first. An empty
 * migration is additive.
 */
export function judgeMigration(
  migrationId: string,
  evidence: readonly StatementEvidence[],
  truthTested: boolean,
): MigrationClassification {
  const statements = evidence
    .map(judgeStatement)
    .sort((a, b) => VERDICT_RANK[b.verdict] - VERDICT_RANK[a.verdict] || a.index - b.index);
  return {
    migrationId,
    verdict: statements[0]?.verdict ?? "additive",
    statements,
    sources: truthTested ? ["static", "schema-diff"] : ["static"],
  };
}

/** A migration whose source shows no SQL: nothing can be judged, so it is unknown. */
export function unjudgedMigration(migrationId: string, reason: string): MigrationClassification {
  return {
    migrationId,
    verdict: "unknown",
    statements: [{ index: 0, statement: "", verdict: "unknown", reason }],
    sources: [],
  };
}

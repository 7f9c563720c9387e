import type { JsonObject } from "../model/json.js";

/** One statement of a migration as the SQL parser saw it. */
export interface ParsedStatement {
  /** 0-based position in the migration. */
  readonly index: number;
  /** The statement's own text, as it is executed. */
  readonly sql: string;
  /** The parser's plain tree, one node `{ AlterTableStmt: {...} }`; null when it was rejected. */
  readonly tree: JsonObject | null;
  /** The parser's error when `tree` is null. */
  readonly error: string | null;
}

/** The statement for a verdict: comments dropped, whitespace collapsed, cut to 200 characters. */
export function statementLabel(sql: string): string {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/;$/, "");
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

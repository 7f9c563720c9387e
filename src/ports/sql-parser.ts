import type { ParsedStatement } from "../domain/migrations/parsed-statement.js";

/**
 * Turns a migration's SQL into statements with plain parse trees (PostgreSQL's own grammar). Never
 * throws for bad SQL: a statement it cannot parse comes back with `tree: null` and the error.
 */
export interface SqlParser {
  parse(sql: string): Promise<ParsedStatement[]>;
}

/**
 * A database schema as data: what code written against a database can depend on. Both the SQLite
 * and the PostgreSQL inspectors read into this shape; tables outside PostgreSQL's `public` schema
 * are named `schema.table`. Pure types, no I/O.
 */

export interface Column {
  readonly name: string;
  /** The type as the database prints it (`integer`, `character varying(80)`, `TEXT`). */
  readonly type: string;
  readonly nullable: boolean;
  /** A default, identity or generated value exists: inserts that omit the column still work. */
  readonly hasDefault: boolean;
}

export interface UniqueConstraint {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface ForeignKey {
  readonly name: string;
  readonly columns: readonly string[];
  readonly references: { readonly table: string; readonly columns: readonly string[] };
}

export interface CheckConstraint {
  readonly name: string;
  /** The check's expression as the database prints it. */
  readonly expression: string;
}

/** An index that no constraint owns (constraint-backed indexes are the constraint). */
export interface Index {
  readonly name: string;
  /** Key columns, or expressions as the database prints them, in key order. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** The WHERE of a partial index, null for a full one. */
  readonly predicate: string | null;
}

export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly uniques: readonly UniqueConstraint[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly checks: readonly CheckConstraint[];
  readonly indexes: readonly Index[];
}

export interface View {
  readonly name: string;
  readonly columns: readonly string[];
  /** The view's query as the database prints it. */
  readonly definition: string;
}

export interface DatabaseSchema {
  readonly tables: readonly Table[];
  readonly views: readonly View[];
}

export const EMPTY_SCHEMA: DatabaseSchema = { tables: [], views: [] };

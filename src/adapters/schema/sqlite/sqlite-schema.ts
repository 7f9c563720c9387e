import type {
  CheckConstraint,
  DatabaseSchema,
  ForeignKey,
  Index,
  Table,
  UniqueConstraint,
  View,
} from "../../../domain/schema/schema.js";

/** The subset of better-sqlite3 the inspector needs. */
export interface SqliteReader {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
}

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}
interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden?: number;
}
interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}
interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Reads a SQLite database's schema with PRAGMA table_xinfo / index_list / index_xinfo /
 * foreign_key_list and sqlite_schema. CHECK constraints have no PRAGMA: they are read from the
 * table's CREATE statement. SQLite's own tables are left out.
 */
export function readSqliteSchema(db: SqliteReader): DatabaseSchema {
  const rows = db
    .prepare(
      `SELECT type, name, tbl_name, sql FROM sqlite_schema
       WHERE type IN ('table', 'view', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       ORDER BY name`,
    )
    .all() as SchemaRow[];
  const indexSql = new Map(rows.filter((r) => r.type === "index").map((r) => [r.name, r.sql]));
  const tables = rows
    .filter((r) => r.type === "table" && !(r.sql ?? "").startsWith("CREATE VIRTUAL TABLE"))
    .map((r) => readTable(db, r, indexSql));
  const views = rows
    .filter((r) => r.type === "view")
    .map(
      (r): View => ({
        name: r.name,
        columns: (db.prepare(`PRAGMA table_info(${quote(r.name)})`).all() as ColumnRow[]).map(
          (c) => c.name,
        ),
        definition: (r.sql ?? "").replace(/\s+/g, " ").trim(),
      }),
    );
  return { tables, views };
}

function readTable(
  db: SqliteReader,
  row: SchemaRow,
  indexSql: ReadonlyMap<string, string | null>,
): Table {
  const t = quote(row.name);
  const columns = (db.prepare(`PRAGMA table_xinfo(${t})`).all() as ColumnRow[]).filter(
    (c) => c.hidden === undefined || c.hidden === 0 || c.hidden === 2 || c.hidden === 3,
  );
  const primaryKey = columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  const uniques: UniqueConstraint[] = [];
  const indexes: Index[] = [];
  for (const index of db.prepare(`PRAGMA index_list(${t})`).all() as IndexRow[]) {
    const keys = (
      db.prepare(`PRAGMA index_xinfo(${quote(index.name)})`).all() as {
        key: number;
        name: string | null;
        seqno: number;
      }[]
    )
      .filter((k) => k.key === 1)
      .sort((a, b) => a.seqno - b.seqno)
      .map((k) => k.name ?? "<expression>");
    if (index.origin === "pk") continue;
    if (index.origin === "u") {
      uniques.push({ name: index.name, columns: keys });
      continue;
    }
    const sql = indexSql.get(index.name) ?? "";
    const where = index.partial ? (/\bWHERE\b([\s\S]*)$/i.exec(sql)?.[1] ?? "").trim() : "";
    indexes.push({
      name: index.name,
      columns: keys,
      unique: index.unique === 1,
      predicate: where ? where.replace(/\s+/g, " ") : null,
    });
  }
  return {
    name: row.name,
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type.toLowerCase(),
      nullable: c.notnull === 0 && c.pk === 0,
      // Generated columns (hidden 2/3) and INTEGER PRIMARY KEY (the rowid) fill themselves.
      hasDefault:
        c.dflt_value !== null ||
        c.hidden === 2 ||
        c.hidden === 3 ||
        (c.pk === 1 && primaryKey.length === 1 && c.type.toUpperCase() === "INTEGER"),
    })),
    primaryKey,
    uniques,
    foreignKeys: readForeignKeys(db, row.name),
    checks: readChecks(row.sql ?? ""),
    indexes,
  };
}

function readForeignKeys(db: SqliteReader, table: string): ForeignKey[] {
  const rows = db.prepare(`PRAGMA foreign_key_list(${quote(table)})`).all() as ForeignKeyRow[];
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.seq - b.seq);
    const first = sorted[0] as ForeignKeyRow;
    const columns = sorted.map((r) => r.from);
    return {
      // SQLite does not keep FK names in the PRAGMA; the shape names it.
      name: `${table}_${columns.join("_")}_fkey`,
      columns,
      references: { table: first.table, columns: sorted.map((r) => r.to ?? "") },
    };
  });
}

/** `CHECK (...)` clauses of a CREATE TABLE statement, balanced parentheses, strings skipped. */
export function readChecks(createSql: string): CheckConstraint[] {
  const checks: CheckConstraint[] = [];
  const pattern = /\b(?:CONSTRAINT\s+("[^"]+"|\w+)\s+)?CHECK\s*\(/gi;
  for (let match = pattern.exec(createSql); match; match = pattern.exec(createSql)) {
    let depth = 1;
    let i = pattern.lastIndex;
    let quoteChar: string | null = null;
    for (; i < createSql.length && depth > 0; i++) {
      const ch = createSql[i] as string;
      if (quoteChar) {
        if (ch === quoteChar) quoteChar = null;
      } else if (ch === "'" || ch === '"') quoteChar = ch;
      else if (ch === "(") depth++;
      else if (ch === ")") depth--;
    }
    const expression = createSql
      .slice(pattern.lastIndex, i - 1)
      .replace(/\s+/g, " ")
      .trim();
    const name = match[1]?.replace(/^"|"$/g, "") ?? `check_${checks.length + 1}`;
    checks.push({ name, expression });
    pattern.lastIndex = i;
  }
  return checks;
}

import type { Database } from "better-sqlite3";

/** What a SQLite database holds, in the terms a restore plan talks about. */
export interface SqliteFacts {
  /** `PRAGMA user_version`, where migration tools keep the schema version. */
  readonly schemaVersion: number;
  /** Row count per table (virtual tables are left out; their shadow tables are counted). */
  readonly tables: Record<string, number>;
}

export function readSqliteFacts(db: Database): SqliteFacts {
  const schemaVersion = db.pragma("user_version", { simple: true }) as number;
  const names = db
    .prepare(
      `SELECT name FROM sqlite_schema
       WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
       ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  const tables: Record<string, number> = {};
  for (const name of names) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    tables[name] = db.prepare(`SELECT count(*) FROM ${quoted}`).pluck().get() as number;
  }
  return { schemaVersion, tables };
}

/**
 * How thoroughly a copy is checked: `full` is `PRAGMA integrity_check` (also every index against
 * its table: 52 s for a 1 GiB database here), `quick` is `PRAGMA quick_check` (pages, records and
 * constraints, not index contents: 1.8 s for the same database).
 */
export type IntegrityLevel = "quick" | "full";

/** The problems the check reports (at most 10); empty when the database is sound. */
export function integrityProblems(db: Database, level: IntegrityLevel = "full"): string[] {
  const pragma = level === "full" ? "integrity_check" : "quick_check";
  const rows = db.pragma(`${pragma}(10)`, { simple: false }) as Record<string, string>[];
  const messages = rows.map((row) => row[pragma] as string);
  return messages.length === 1 && messages[0] === "ok" ? [] : messages;
}

/** Reads `details` of a sqlite asset manifest back; undefined members when absent or malformed. */
export function parseSqliteDetails(details: Record<string, unknown>): {
  schemaVersion: number | undefined;
  tables: Record<string, number> | undefined;
  journalMode: string | undefined;
} {
  const { schemaVersion, tables, journalMode } = details;
  const validTables =
    typeof tables === "object" &&
    tables !== null &&
    !Array.isArray(tables) &&
    Object.values(tables).every((count) => Number.isInteger(count));
  return {
    schemaVersion: Number.isInteger(schemaVersion) ? (schemaVersion as number) : undefined,
    tables: validTables ? (tables as Record<string, number>) : undefined,
    journalMode: typeof journalMode === "string" ? journalMode : undefined,
  };
}

import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import Database from "better-sqlite3";
import {
  TRACKING_TABLE,
  type TrackedMigration,
  type TrackingDatabase,
} from "./tracking-database.js";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE} (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  down_sql TEXT
)`;

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

/**
 * A SQLite file as a migration target. Every migration runs in one `BEGIN IMMEDIATE` transaction
 * with its tracking row: SQLite's DDL is transactional, so a failing migration leaves nothing behind.
 */
export function createSqliteTrackingDatabase(path: string): TrackingDatabase {
  if (!isAbsolute(path))
    throw new TypeError(`createSqliteTrackingDatabase: ${path} is not absolute`);
  const open = (): Database.Database => {
    const db = new Database(path, { timeout: 5000 });
    db.exec(CREATE_TABLE);
    return db;
  };
  const using = <T>(body: (db: Database.Database) => T): T => {
    const db = open();
    try {
      return body(db);
    } finally {
      db.close();
    }
  };
  return {
    label: path,

    async applied() {
      // A status read must not create the database: a missing file has applied nothing.
      if (!existsSync(path)) return [];
      const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
      try {
        const table = db
          .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
          .get(TRACKING_TABLE);
        if (!table) return [];
        const rows = db
          .prepare(
            `SELECT id, name, checksum, applied_at AS appliedAt, down_sql AS downSql FROM ${TRACKING_TABLE} ORDER BY id`,
          )
          .all() as TrackedMigration[];
        return rows;
      } finally {
        db.close();
      }
    },

    async apply(script, row) {
      using((db) => {
        const insert = db.prepare(
          `INSERT INTO ${TRACKING_TABLE} (id, name, checksum, applied_at, down_sql) VALUES (?, ?, ?, ${NOW}, ?)`,
        );
        db.transaction(() => {
          db.exec(script.sql);
          insert.run(row.id, row.name, row.checksum, row.downSql);
        }).immediate();
      });
    },

    async revert(script) {
      using((db) => {
        const remove = db.prepare(`DELETE FROM ${TRACKING_TABLE} WHERE id = ?`);
        db.transaction(() => {
          db.exec(script.sql);
          remove.run(script.id);
        }).immediate();
      });
    },
  } satisfies TrackingDatabase;
}

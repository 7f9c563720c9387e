import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlDirConformance } from "./sql-dir-conformance.test-support.js";
import { createSqliteTrackingDatabase } from "./sqlite-tracking-database.js";

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-sqlite-mig-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function read<T>(path: string, body: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return body(db);
  } finally {
    db.close();
  }
}

sqlDirConformance("SQLite (real files)", async () => {
  n += 1;
  const path = join(dir, `app-${n}.db`);
  return {
    database: createSqliteTrackingDatabase(path),
    columns: async (table) =>
      read(path, (db) =>
        (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map(
          (c) => c.name,
        ),
      ),
    tracked: async () =>
      read(
        path,
        (db) =>
          db
            .prepare(
              "SELECT id, checksum, down_sql AS downSql FROM shipsafe_migrations ORDER BY id",
            )
            .all() as { id: string; checksum: string; downSql: string | null }[],
      ),
  };
});

describe("SQLite tracking database", () => {
  it("reads a database file that does not exist yet as having nothing applied, without creating it", async () => {
    const path = join(dir, "not-yet.db");
    expect(await createSqliteTrackingDatabase(path).applied()).toEqual([]);
    await expect(import("node:fs/promises").then((fs) => fs.stat(path))).rejects.toThrow();
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { integrityProblems } from "./sqlite-facts.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-sqlite-facts-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("integrityProblems", () => {
  it("quick passes a database whose index disagrees with its table; full names the problem", () => {
    const path = join(dir, "db.sqlite");
    const db = new Database(path);
    db.exec(`CREATE TABLE t (a INTEGER, b INTEGER);
      CREATE INDEX t_a ON t (a);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
      INSERT INTO t SELECT i, i * 7 FROM n;`);
    expect(integrityProblems(db, "quick")).toEqual([]);
    expect(integrityProblems(db, "full")).toEqual([]);
    // Redefine the index over another column: its stored entries no longer match the table.
    db.unsafeMode(true); // lifts defensive mode, which forbids writing the schema table
    db.pragma("writable_schema = ON");
    db.prepare(
      "UPDATE sqlite_schema SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a'",
    ).run();
    db.close();
    const reopened = new Database(path);
    try {
      expect(integrityProblems(reopened, "quick")).toEqual([]);
      expect(integrityProblems(reopened, "full").join(" ")).toMatch(/t_a/);
    } finally {
      reopened.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { parseMigrationFileNames } from "./migration-files.js";
import { needsNoTransaction } from "./no-transaction.js";

describe("parseMigrationFileNames", () => {
  it("orders migrations by number, pairs up and down files, ignores other files", () => {
    const files = parseMigrationFileNames("/r/migrations", [
      "0002_add_email.up.sql",
      "README.md",
      "0001_init.down.sql",
      "0001_init.up.sql",
      "0003_x.up.sql",
    ]);
    expect(files.map((f) => [f.id, f.number, f.name, f.downFile !== null])).toEqual([
      ["0001_init", 1, "init", true],
      ["0002_add_email", 2, "add_email", false],
      ["0003_x", 3, "x", false],
    ]);
    expect(files[0]?.upFile).toBe("/r/migrations/0001_init.up.sql");
  });

  it.each([
    [["0001_a.up.sql", "0003_c.up.sql"], "MIGRATION_GAP", /jumps from 0001_a to 0003_c/],
    [["0001_a.up.sql", "0001_b.up.sql"], "MIGRATION_NUMBER_TAKEN", /share the number 1/],
    [["0001_a.up.sql", "0002_b.down.sql"], "MIGRATION_DOWN_WITHOUT_UP", /0002_b.down.sql has no/],
    [["0001_a.up.sql", "2_b.up.sql"], "MIGRATION_FILE_NAME", /2_b.up.sql is not named/],
    [["0001_a.sql"], "MIGRATION_FILE_NAME", /0001_a.sql is not named/],
  ])("refuses %j with %s", (names, code, message) => {
    expect(() => parseMigrationFileNames("/r/m", names)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});

describe("needsNoTransaction", () => {
  it("finds statements PostgreSQL refuses inside a transaction, not mentions in comments or strings", () => {
    expect(needsNoTransaction("CREATE INDEX CONCURRENTLY orders_item ON orders (item);")).toBe(
      "CREATE INDEX CONCURRENTLY",
    );
    expect(needsNoTransaction("create unique index\n  concurrently x on t (a)")).toBe(
      "create unique index concurrently",
    );
    expect(needsNoTransaction("-- shipsafe:no-transaction\nUPDATE t SET a = 1")).toBe(
      "-- shipsafe:no-transaction",
    );
    expect(
      needsNoTransaction(
        "-- we don't use CREATE INDEX CONCURRENTLY here\n/* VACUUM */ INSERT INTO t VALUES ('VACUUM', $$ CREATE DATABASE $$)",
      ),
    ).toBeNull();
    expect(needsNoTransaction("ALTER TABLE orders ADD COLUMN note text")).toBeNull();
  });
});

import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { schemaFingerprint } from "../../../domain/schema/fingerprint.js";
import { INSPECTED_SCHEMA_SQL } from "../schema-inspection.test-support.js";
import { readChecks, readSqliteSchema } from "./sqlite-schema.js";

describe("readSqliteSchema (real SQLite, in memory)", () => {
  it("reads tables, columns, keys, constraints, indexes and views", () => {
    const db = new Database(":memory:");
    db.exec(INSPECTED_SCHEMA_SQL);
    const schema = readSqliteSchema(db);
    const users = schema.tables.find((t) => t.name === "users");
    const orders = schema.tables.find((t) => t.name === "orders");
    expect(users?.columns).toEqual([
      { name: "id", type: "integer", nullable: false, hasDefault: true },
      { name: "email", type: "text", nullable: false, hasDefault: false },
      { name: "plan", type: "text", nullable: false, hasDefault: true },
      { name: "age", type: "integer", nullable: true, hasDefault: false },
    ]);
    expect(users?.primaryKey).toEqual(["id"]);
    expect(users?.uniques.map((u) => u.columns)).toEqual([["email"]]);
    expect(users?.checks).toEqual([{ name: "check_1", expression: "age >= 0" }]);
    expect(orders?.foreignKeys).toEqual([
      {
        name: "orders_user_id_fkey",
        columns: ["user_id"],
        references: { table: "users", columns: ["id"] },
      },
    ]);
    expect(orders?.indexes).toEqual([
      {
        name: "orders_by_user",
        columns: ["user_id"],
        unique: false,
        predicate: "note IS NOT NULL",
      },
    ]);
    expect(schema.views).toMatchObject([{ name: "user_emails", columns: ["id", "email"] }]);
    db.exec("ALTER TABLE orders ADD COLUMN total integer");
    const changed = readSqliteSchema(db);
    expect(schemaFingerprint(changed)).not.toBe(schemaFingerprint(schema));
    db.exec("ALTER TABLE orders DROP COLUMN total");
    expect(schemaFingerprint(readSqliteSchema(db))).toBe(schemaFingerprint(schema));
    db.close();
  });

  it("reads named CHECK constraints with nested parentheses and strings", () => {
    expect(
      readChecks(
        `CREATE TABLE t (a int, b text, CONSTRAINT "b ok" CHECK (length(b) > (1 + 2)), CHECK (b <> ')'))`,
      ),
    ).toEqual([
      { name: "b ok", expression: "length(b) > (1 + 2)" },
      { name: "check_2", expression: "b <> ')'" },
    ]);
  });
});

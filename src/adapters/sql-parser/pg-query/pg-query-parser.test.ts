import { describe, expect, it } from "vitest";
import { classifyStatement } from "../../../domain/migrations/classify-statement.js";
import { createPgQueryParser } from "./pg-query-parser.js";

const parser = createPgQueryParser();

/** The static verdict and reason of each statement of `sql`, through the real parser. */
async function judged(sql: string): Promise<string[]> {
  return (await parser.parse(sql)).map((s) => {
    if (!s.tree) return `unparsed: ${s.error}`;
    const j = classifyStatement(s.tree);
    return `${j.verdict}: ${j.reason}`;
  });
}

describe("pg-query parser (libpg-query WASM)", () => {
  it("cuts a migration into statements with their own text, UTF-8 offsets included", async () => {
    const statements = await parser.parse(
      "-- first\nALTER TABLE users ADD COLUMN café text;\nUPDATE users SET café = 'é;é';\n-- end\n",
    );
    expect(statements.map((s) => s.sql)).toEqual([
      "ALTER TABLE users ADD COLUMN café text",
      "UPDATE users SET café = 'é;é'",
    ]);
    expect(statements.map((s) => Object.keys(s.tree ?? {})[0])).toEqual([
      "AlterTableStmt",
      "UpdateStmt",
    ]);
    expect(await parser.parse("-- nothing here\n")).toEqual([]);
  });

  it("a statement PostgreSQL rejects is reported alone with the parse error; the others still parse", async () => {
    const statements = await parser.parse(
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\nALTER TABLE u DROP COLUMN x;",
    );
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({
      tree: null,
      error: 'syntax error at or near "AUTOINCREMENT"',
    });
    expect(statements[1]?.sql).toBe("ALTER TABLE u DROP COLUMN x;");
    expect(Object.keys(statements[1]?.tree ?? {})).toEqual(["AlterTableStmt"]);
  });

  it("maps parse trees to verdicts: additive", async () => {
    expect(
      await judged(`CREATE TABLE coupons (id int primary key);
        ALTER TABLE users ADD COLUMN email text;
        ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
        CREATE INDEX CONCURRENTLY users_email ON users (email);
        CREATE VIEW v AS SELECT 1;
        ALTER TABLE users ALTER COLUMN plan DROP NOT NULL;
        DROP INDEX users_email;
        BEGIN; COMMIT;`),
    ).toEqual([
      "additive: creates table coupons",
      "additive: adds nullable column users.email",
      "additive: adds defaulted column users.plan",
      "additive: creates index users_email on users concurrently",
      "additive: creates view v",
      "additive: drops NOT NULL on users.plan",
      "additive: drops index users_email (old code still works; its queries may slow)",
      "additive: transaction control",
      "additive: transaction control",
    ]);
  });

  it("maps parse trees to verdicts: breaking", async () => {
    expect(
      await judged(`ALTER TABLE orders DROP COLUMN note;
        ALTER TABLE users RENAME COLUMN name TO full_name;
        ALTER TABLE billing.invoices ALTER COLUMN total TYPE bigint;
        ALTER TABLE users ADD COLUMN tenant int NOT NULL;
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;
        ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);
        ALTER TABLE orders ADD CHECK (total > 0);
        CREATE UNIQUE INDEX u ON users (email);
        DROP TABLE audit_log, sessions;
        DROP VIEW v;
        ALTER TABLE users RENAME TO people;
        DELETE FROM sessions;`),
    ).toEqual([
      "breaking: drops column orders.note",
      "breaking: renames column users.name to full_name",
      "breaking: changes the type of billing.invoices.total to int8",
      "breaking: adds NOT NULL column users.tenant without a default: old inserts fail",
      "breaking: sets NOT NULL on users.email: old inserts may fail",
      "breaking: adds foreign key fk on orders: rows old code writes may violate it",
      "breaking: adds check on orders: rows old code writes may violate it",
      "breaking: creates unique index u on users: rows old code writes may violate it",
      "breaking: drops table audit_log, sessions",
      "breaking: drops view v",
      "breaking: renames table users to people",
      "breaking: deletes rows from sessions",
    ]);
  });

  it("maps parse trees to verdicts: unknown, with what cannot be known", async () => {
    expect(
      await judged(`UPDATE users SET email = lower(name);
        DO $$ BEGIN PERFORM 1; END $$;
        CREATE OR REPLACE VIEW v AS SELECT 2;
        CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();`),
    ).toEqual([
      "unknown: rewrites data in users (UPDATE): the schema diff cannot see it",
      "unknown: runs a DO block: what it does cannot be read statically",
      "unknown: replaces view v: its columns may change",
      "unknown: creates a trigger: it changes what writes do",
    ]);
  });
});

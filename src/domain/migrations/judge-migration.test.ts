import { describe, expect, it } from "vitest";
import type { SchemaChange } from "../schema/schema-diff.js";
import { judgeMigration, judgeStatement } from "./judge-migration.js";
import type { ParsedStatement } from "./parsed-statement.js";

// Parse trees as libpg-query gives them, cut to what the classifier reads.
const addEmail: ParsedStatement = {
  index: 0,
  sql: "ALTER TABLE users ADD COLUMN email text",
  tree: {
    AlterTableStmt: {
      relation: { relname: "users" },
      cmds: [
        {
          AlterTableCmd: {
            subtype: "AT_AddColumn",
            def: {
              ColumnDef: { colname: "email", typeName: { names: [{ String: { sval: "text" } }] } },
            },
          },
        },
      ],
    },
  },
  error: null,
};
const doBlock: ParsedStatement = {
  index: 1,
  sql: "DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN name'; END $$",
  tree: { DoStmt: { args: [] } },
  error: null,
};
const replaceView: ParsedStatement = {
  index: 2,
  sql: "CREATE OR REPLACE VIEW v AS SELECT id FROM users",
  tree: { ViewStmt: { view: { relname: "v" }, replace: true } },
  error: null,
};
const unparsed: ParsedStatement = {
  index: 3,
  sql: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)",
  tree: null,
  error: 'syntax error at or near "AUTOINCREMENT"',
};

const change = (effect: "additive" | "breaking", reason: string): SchemaChange => ({
  kind: effect === "additive" ? "add-column" : "drop-column",
  subject: "column users.x",
  effect,
  reason,
});

describe("judgeStatement: how the static pass and the schema diff combine", () => {
  it("an additive statement stays additive when the diff agrees, and says what the diff saw", () => {
    const v = judgeStatement({
      statement: addEmail,
      changes: [change("additive", "adds nullable column users.email")],
    });
    expect(v).toMatchObject({
      verdict: "additive",
      statement: "ALTER TABLE users ADD COLUMN email text",
    });
    expect(v.reason).toBe(
      "adds nullable column users.email [schema diff: adds nullable column users.email]",
    );
  });

  it("breaking from the diff wins over what the parser said", () => {
    const v = judgeStatement({
      statement: doBlock,
      changes: [change("breaking", "drops column users.name")],
    });
    expect(v.verdict).toBe("breaking");
    expect(v.reason).toMatch(/^drops column users.name \[static: runs a DO block/);
  });

  it("a DO block whose diff is additive stays unknown: its effects are not only schema", () => {
    const v = judgeStatement({
      statement: doBlock,
      changes: [change("additive", "adds nullable column users.x")],
    });
    expect(v.verdict).toBe("unknown");
  });

  it("a schema-only unknown (CREATE OR REPLACE VIEW) is settled by the diff", () => {
    expect(judgeStatement({ statement: replaceView, changes: [] })).toMatchObject({
      verdict: "additive",
      reason: "no schema change [static: replaces view v: its columns may change]",
    });
    expect(judgeStatement({ statement: replaceView }).verdict).toBe("unknown");
  });

  it("an unparsed statement is unknown with the parse error; failing on the scratch copy is unknown", () => {
    expect(judgeStatement({ statement: unparsed, changes: [] })).toMatchObject({
      verdict: "unknown",
      reason: 'the PostgreSQL parser cannot read it: syntax error at or near "AUTOINCREMENT"',
    });
    expect(judgeStatement({ statement: addEmail, runError: "column exists" })).toMatchObject({
      verdict: "unknown",
      reason: "fails on the scratch copy: column exists [static: adds nullable column users.email]",
    });
  });
});

describe("judgeMigration", () => {
  it("takes the worst statement's verdict and lists the deciding statements first", () => {
    const m = judgeMigration(
      "0004_mixed",
      [
        { statement: addEmail, changes: [] },
        { statement: doBlock, changes: [change("breaking", "drops column users.name")] },
      ],
      true,
    );
    expect(m.verdict).toBe("breaking");
    expect(m.statements.map((s) => s.index)).toEqual([1, 0]);
    expect(m.sources).toEqual(["static", "schema-diff"]);
    expect(judgeMigration("0005_empty", [], false)).toEqual({
      migrationId: "0005_empty",
      verdict: "additive",
      statements: [],
      sources: ["static"],
    });
  });
});

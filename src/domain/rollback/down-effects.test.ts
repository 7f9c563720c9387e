import { describe, expect, it } from "vitest";
import { downEffects, splitStatements } from "./down-effects.js";

describe("downEffects", () => {
  it("names the tables and columns a down-migration drops and the rows it deletes", () => {
    const sql = `-- revert 0002
      DROP TABLE IF EXISTS coupons;
      ALTER TABLE public."Orders" DROP COLUMN discount_code, ADD COLUMN x int, DROP CONSTRAINT c1;
      ALTER TABLE orders RENAME COLUMN quantity TO qty;
      DELETE FROM audit.events WHERE kind = 'a;b';
      CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE t; END $$ LANGUAGE plpgsql;`;
    expect(downEffects(sql).map(({ kind, table, column }) => ({ kind, table, column }))).toEqual([
      { kind: "drops-table", table: "coupons", column: undefined },
      { kind: "drops-column", table: "Orders", column: "discount_code" },
      { kind: "deletes-rows", table: "audit.events", column: undefined },
    ]);
  });

  it("splits on semicolons outside strings, comments and dollar quotes", () => {
    expect(splitStatements("SELECT ';'; /* ; */ SELECT $x$;$x$ ; -- ;\n SELECT \"a;\"")).toEqual([
      "SELECT ';'",
      "SELECT $x$;$x$",
      'SELECT "a;"',
    ]);
  });
});

import fc from "fast-check";
import type { Column, DatabaseSchema, Table } from "./schema.js";

export const column = (
  name: string,
  type = "text",
  nullable = true,
  hasDefault = false,
): Column => ({
  name,
  type,
  nullable,
  hasDefault,
});

export const table = (name: string, columns: Column[], extra: Partial<Table> = {}): Table => ({
  name,
  columns,
  primaryKey: [],
  uniques: [],
  foreignKeys: [],
  checks: [],
  indexes: [],
  ...extra,
});

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const uniqueByName = <T extends { name: string }>(arb: fc.Arbitrary<T>, max: number) =>
  fc.uniqueArray(arb, { selector: (x) => x.name, maxLength: max });

const arbColumn = fc.record({
  name: ident,
  type: fc.constantFrom("integer", "text", "bigint", "boolean", "timestamp with time zone"),
  nullable: fc.boolean(),
  hasDefault: fc.boolean(),
});

const arbTable = fc
  .record({
    name: ident,
    columns: uniqueByName(arbColumn, 6),
    indexes: uniqueByName(
      fc.record({
        name: ident,
        columns: fc.array(ident, { minLength: 1, maxLength: 2 }),
        unique: fc.boolean(),
        predicate: fc.option(fc.constant("id > 0"), { nil: null }),
      }),
      3,
    ),
    checks: uniqueByName(
      fc.record({ name: ident, expression: fc.constantFrom("a > 0", "b <> ''") }),
      2,
    ),
    uniques: uniqueByName(
      fc.record({ name: ident, columns: fc.array(ident, { minLength: 1, maxLength: 2 }) }),
      2,
    ),
  })
  .map(
    (t): Table => ({
      ...t,
      primaryKey: t.columns.slice(0, 1).map((c) => c.name),
      foreignKeys: [],
    }),
  );

/** Random schemas: tables with columns, indexes, checks and uniques; views over nothing. */
export const arbSchema: fc.Arbitrary<DatabaseSchema> = fc.record({
  tables: uniqueByName(arbTable, 5),
  views: uniqueByName(
    fc.record({
      name: ident.map((n) => `v_${n}`),
      columns: fc.uniqueArray(ident, { maxLength: 3 }),
      definition: fc.constantFrom("SELECT 1", "SELECT 2"),
    }),
    2,
  ),
});

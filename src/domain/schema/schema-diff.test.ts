import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { schemaFingerprint } from "./fingerprint.js";
import type { DatabaseSchema } from "./schema.js";
import { arbSchema, column, table } from "./schema.test-support.js";
import { diffSchemas } from "./schema-diff.js";

const base: DatabaseSchema = {
  tables: [
    table("users", [column("id", "integer", false, true), column("name", "text", false)], {
      primaryKey: ["id"],
    }),
    table("orders", [column("id", "integer", false, true), column("user_id", "integer", false)], {
      primaryKey: ["id"],
    }),
  ],
  views: [{ name: "names", columns: ["name"], definition: "SELECT name FROM users" }],
};

const withUsers = (change: (cols: ReturnType<typeof column>[]) => ReturnType<typeof column>[]) => ({
  ...base,
  tables: base.tables.map((t) =>
    t.name === "users" ? { ...t, columns: change([...t.columns]) } : t,
  ),
});

const reasons = (after: DatabaseSchema) =>
  diffSchemas(base, after).map((c) => `${c.effect}: ${c.reason}`);

describe("diffSchemas", () => {
  it("judges added things for old code: nullable or defaulted columns are additive, NOT NULL without default is breaking", () => {
    expect(reasons(withUsers((c) => [...c, column("email")]))).toEqual([
      "additive: adds nullable column users.email",
    ]);
    expect(reasons(withUsers((c) => [...c, column("plan", "text", false, true)]))).toEqual([
      "additive: adds defaulted column users.plan",
    ]);
    expect(reasons(withUsers((c) => [...c, column("tenant", "integer", false)]))).toEqual([
      "breaking: adds NOT NULL column users.tenant without a default: old inserts fail",
    ]);
  });

  it("names drops, renames and type changes as breaking", () => {
    expect(reasons(withUsers((c) => c.filter((x) => x.name !== "name")))).toEqual([
      "breaking: drops column users.name",
    ]);
    expect(
      reasons(
        withUsers((c) => c.map((x) => (x.name === "name" ? { ...x, name: "full_name" } : x))),
      ),
    ).toEqual(["breaking: renames column users.name to full_name"]);
    expect(
      reasons(
        withUsers((c) => c.map((x) => (x.name === "name" ? { ...x, type: "varchar(10)" } : x))),
      ),
    ).toEqual(["breaking: changes the type of users.name from text to varchar(10)"]);
    const renamed = {
      ...base,
      tables: base.tables.map((t) => (t.name === "orders" ? { ...t, name: "purchases" } : t)),
    };
    expect(reasons(renamed)).toEqual(["breaking: renames table orders to purchases"]);
    expect(reasons({ ...base, tables: base.tables.slice(0, 1) })).toEqual([
      "breaking: drops table orders",
    ]);
    expect(reasons({ ...base, views: [] })).toEqual(["breaking: drops view names"]);
  });

  it("new constraints are breaking, dropped ones and plain indexes additive", () => {
    const fk = {
      ...base,
      tables: base.tables.map((t) =>
        t.name === "orders"
          ? {
              ...t,
              foreignKeys: [
                {
                  name: "orders_user_fk",
                  columns: ["user_id"],
                  references: { table: "users", columns: ["id"] },
                },
              ],
              indexes: [
                { name: "orders_user_idx", columns: ["user_id"], unique: false, predicate: null },
              ],
            }
          : t,
      ),
    };
    expect(reasons(fk)).toEqual([
      "breaking: adds foreign key orders_user_fk orders (user_id) → users (id): rows old code writes may violate it",
      "additive: adds index orders_user_idx on orders (user_id)",
    ]);
    expect(diffSchemas(fk, base).map((c) => c.effect)).toEqual(["additive", "additive"]);
  });

  it("the diff of a schema with itself is empty, in any order", () => {
    fc.assert(
      fc.property(arbSchema, (schema) => {
        expect(diffSchemas(schema, schema)).toEqual([]);
        const shuffled = {
          tables: [...schema.tables].reverse(),
          views: [...schema.views].reverse(),
        };
        expect(diffSchemas(schema, shuffled)).toEqual([]);
      }),
    );
  });

  it("equal fingerprints, no changes; a change is seen by both the diff and the fingerprint", () => {
    fc.assert(
      fc.property(arbSchema, arbSchema, (a, b) => {
        if (schemaFingerprint(a) === schemaFingerprint(b)) expect(diffSchemas(a, b)).toEqual([]);
        if (diffSchemas(a, b).length > 0)
          expect(schemaFingerprint(a)).not.toBe(schemaFingerprint(b));
      }),
    );
  });
});

describe("schemaFingerprint", () => {
  it("is stable under reordering of tables, columns, constraints, indexes and views", () => {
    fc.assert(
      fc.property(arbSchema, (schema) => {
        const reordered: DatabaseSchema = {
          tables: [...schema.tables].reverse().map((t) => ({
            ...t,
            columns: [...t.columns].reverse(),
            indexes: [...t.indexes].reverse(),
            checks: [...t.checks].reverse(),
            uniques: [...t.uniques].reverse(),
          })),
          views: [...schema.views].reverse(),
        };
        expect(schemaFingerprint(reordered)).toBe(schemaFingerprint(schema));
        expect(schemaFingerprint(schema)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });

  it("changes when a column's nullability changes", () => {
    const nullable = withUsers((c) => c.map((x) => ({ ...x, nullable: true })));
    expect(schemaFingerprint(nullable)).not.toBe(schemaFingerprint(base));
  });
});

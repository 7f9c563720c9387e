import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PostgresCluster,
  sql,
  startPostgresCluster,
} from "../../../../test/helpers/postgres-cluster.js";
import { schemaFingerprint } from "../../../domain/schema/fingerprint.js";
import { pgConnection } from "../../state/postgres/pg-connection.js";
import { psqlValue } from "../../state/postgres/pg-tools.js";
import { INSPECTED_SCHEMA_SQL } from "../schema-inspection.test-support.js";
import { readPostgresSchema } from "./postgres-schema.js";
import { createPostgresScratchDatabases } from "./postgres-scratch-databases.js";

describe("PostgreSQL schema inspection and scratch copies (real PostgreSQL 15 cluster)", () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await sql(cluster, "postgres", "CREATE DATABASE app");
    await sql(cluster, "app", INSPECTED_SCHEMA_SQL);
    await sql(
      cluster,
      "app",
      "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric(10,2))",
    );
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const read = (db: string) => {
    const conn = pgConnection(cluster.url(db));
    return readPostgresSchema((q) => psqlValue(conn, q));
  };

  it("reads tables, columns, keys, constraints, indexes and views into the model", async () => {
    const schema = await read("app");
    expect(schema.tables.map((t) => t.name)).toEqual(["billing.invoices", "orders", "users"]);
    const users = schema.tables.find((t) => t.name === "users");
    expect(users).toEqual({
      name: "users",
      columns: [
        { name: "id", type: "integer", nullable: false, hasDefault: false },
        { name: "email", type: "text", nullable: false, hasDefault: false },
        { name: "plan", type: "text", nullable: false, hasDefault: true },
        { name: "age", type: "integer", nullable: true, hasDefault: false },
      ],
      primaryKey: ["id"],
      uniques: [{ name: "users_email_key", columns: ["email"] }],
      foreignKeys: [],
      checks: [{ name: "users_age_check", expression: "CHECK (age >= 0)" }],
      indexes: [],
    });
    const orders = schema.tables.find((t) => t.name === "orders");
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
    expect(schema.tables[0]?.columns).toEqual([
      { name: "id", type: "bigint", nullable: false, hasDefault: true },
      { name: "total", type: "numeric(10,2)", nullable: true, hasDefault: false },
    ]);
    expect(schema.views).toMatchObject([{ name: "user_emails", columns: ["id", "email"] }]);
  });

  it("a scratch copy has the same fingerprint, takes changes the live database never sees, and is dropped", async () => {
    const scratches = createPostgresScratchDatabases({
      url: cluster.url("app"),
      assetName: "main",
    });
    const copy = await scratches.create();
    try {
      expect(schemaFingerprint(await copy.schema())).toBe(schemaFingerprint(await read("app")));
      await copy.exec("ALTER TABLE users DROP COLUMN age");
      await expect(copy.exec("ALTER TABLE users DROP COLUMN age")).rejects.toMatchObject({
        code: "SCRATCH_SQL_FAILED",
        message: 'column "age" of relation "users" does not exist',
      });
      const live = await read("app");
      expect(live.tables.find((t) => t.name === "users")?.columns.map((c) => c.name)).toContain(
        "age",
      );
    } finally {
      await copy.drop();
    }
    await copy.drop();
    expect(
      await sql(
        cluster,
        "postgres",
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'app_shipsafe_scratch_%'",
      ),
    ).toBe("0");
  });
});

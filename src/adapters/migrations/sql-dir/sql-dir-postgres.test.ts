import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PostgresCluster,
  sql,
  startPostgresCluster,
} from "../../../../test/helpers/postgres-cluster.js";
import { pgConnection } from "../../state/postgres/pg-connection.js";
import { createPostgresTrackingDatabase } from "./postgres-tracking-database.js";
import { sqlDirConformance } from "./sql-dir-conformance.test-support.js";
import { createSqlDirMigrationRunner } from "./sql-dir-runner.js";

let cluster: PostgresCluster;
let n = 0;
beforeAll(async () => {
  cluster = await startPostgresCluster("mig-secret-pw");
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

async function freshDatabase(): Promise<string> {
  n += 1;
  const name = `mig_${n}`;
  await sql(cluster, "postgres", `CREATE DATABASE ${name}`);
  return name;
}

sqlDirConformance("PostgreSQL 15 (real cluster on loopback)", async () => {
  const name = await freshDatabase();
  return {
    database: createPostgresTrackingDatabase(pgConnection(cluster.url(name))),
    columns: async (table) => {
      const out = await sql(
        cluster,
        name,
        `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
      );
      return out ? out.split("\n") : [];
    },
    tracked: async () => {
      const exists = await sql(
        cluster,
        name,
        "SELECT to_regclass('shipsafe_migrations') IS NOT NULL",
      );
      if (exists !== "t") return [];
      const out = await sql(
        cluster,
        name,
        "SELECT coalesce(json_agg(json_build_object('id', id, 'checksum', checksum, 'downSql', down_sql) ORDER BY id), '[]') FROM shipsafe_migrations",
      );
      return JSON.parse(out);
    },
  };
});

describe("sql-dir on PostgreSQL: statements that cannot run in a transaction", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "shipsafe-pg-mig-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  const release = async (name: string, files: Record<string, string>): Promise<string> => {
    const dir = join(work, name);
    await mkdir(join(dir, "db"), { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, "db", file), text);
    return dir;
  };

  it("runs CREATE INDEX CONCURRENTLY outside a transaction, records it, and reverts it", async () => {
    const name = await freshDatabase();
    const runner = createSqlDirMigrationRunner({
      dir: "db",
      database: createPostgresTrackingDatabase(pgConnection(cluster.url(name))),
    });
    const v1 = await release("concurrently", {
      "0001_orders.up.sql": "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL);",
      "0002_orders_item.up.sql":
        "-- built without locking writes\nCREATE INDEX CONCURRENTLY orders_item ON orders (item);\n",
      "0002_orders_item.down.sql": "DROP INDEX CONCURRENTLY orders_item;",
    });
    const run = await runner.up(v1);
    expect(run.migrations.map((m) => m.id)).toEqual(["0001_orders", "0002_orders_item"]);
    expect(
      await sql(
        cluster,
        name,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_item'::regclass",
      ),
    ).toBe("t");
    expect(
      await sql(cluster, name, "SELECT string_agg(id, ',' ORDER BY id) FROM shipsafe_migrations"),
    ).toBe("0001_orders,0002_orders_item");
    await runner.down(v1, { count: 1 });
    expect(await sql(cluster, name, "SELECT to_regclass('orders_item') IS NULL")).toBe("t");
    expect((await runner.status(v1)).pending).toEqual(["0002_orders_item"]);
  });

  it("says a failed non-transactional migration was not rolled back, and never shows the password", async () => {
    const name = await freshDatabase();
    const runner = createSqlDirMigrationRunner({
      dir: "db",
      database: createPostgresTrackingDatabase(pgConnection(cluster.url(name))),
    });
    const v1 = await release("concurrently-broken", {
      "0001_orders.up.sql": "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL);",
      "0002_bad_index.up.sql": "CREATE INDEX CONCURRENTLY bad ON orders (no_such_column);",
    });
    const error = (await runner.up(v1).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe("MIGRATION_FAILED");
    expect(error.message).toMatch(
      /migration 0002_bad_index \(up\) failed outside a transaction \(it contains CREATE INDEX CONCURRENTLY\).*0002_bad_index\.up\.sql.*no_such_column/s,
    );
    expect(error.message).not.toContain(cluster.password);
    expect((await runner.status(v1)).head).toBe("0001_orders");
  });
});

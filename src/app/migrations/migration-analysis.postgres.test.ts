import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PostgresCluster,
  sql,
  startPostgresCluster,
} from "../../../test/helpers/postgres-cluster.js";
import { createPostgresTrackingDatabase } from "../../adapters/migrations/sql-dir/postgres-tracking-database.js";
import { createSqlDirMigrationRunner } from "../../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createPostgresScratchDatabases } from "../../adapters/schema/postgres/postgres-scratch-databases.js";
import { createPgQueryParser } from "../../adapters/sql-parser/pg-query/pg-query-parser.js";
import { pgConnection } from "../../adapters/state/postgres/pg-connection.js";
import type { MigrationVerdict } from "../../domain/migrations/migration.js";
import { createMigrationAnalysis } from "./analysis-sql.js";

const FIXTURES = resolve("test/fixtures/migrations");
const CLASSIFY = join(FIXTURES, "classify");
const ROUND_TRIP = join(FIXTURES, "round-trip");

interface Expected {
  readonly verdict: MigrationVerdict;
  readonly statement: string;
  readonly reason: string;
}

describe("migration analysis on a real PostgreSQL 15 cluster", () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    for (const [db, base] of [
      ["shop", CLASSIFY],
      ["people", ROUND_TRIP],
    ] as const) {
      await sql(cluster, "postgres", `CREATE DATABASE ${db}`);
      await sql(cluster, db, await readFile(join(base, "base.sql"), "utf8"));
    }
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const analysisOf = (database: string) => {
    const url = cluster.url(database);
    return createMigrationAnalysis({
      runner: createSqlDirMigrationRunner({
        dir: "migrations",
        database: createPostgresTrackingDatabase(pgConnection(url)),
      }),
      parser: createPgQueryParser(),
      scratch: createPostgresScratchDatabases({ url, assetName: "main" }),
    });
  };

  const scratchLeft = () =>
    sql(
      cluster,
      "postgres",
      "SELECT count(*) FROM pg_database WHERE datname LIKE '%_shipsafe_scratch_%'",
    );

  it("classifies the twelve fixtures of issue 6 as expected, each naming its statement", async () => {
    const expected = JSON.parse(await readFile(join(CLASSIFY, "expected.json"), "utf8")) as Record<
      string,
      Expected
    >;
    const ids = Object.keys(expected);
    expect(ids).toHaveLength(12);
    const liveBefore = await sql(
      cluster,
      "shop",
      "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'",
    );

    const results = await analysisOf("shop").classify(CLASSIFY, ids);

    expect(results.map((r) => r.migrationId)).toEqual(ids);
    for (const result of results) {
      const want = expected[result.migrationId] as Expected;
      const decisive = result.statements[0];
      expect({ id: result.migrationId, verdict: result.verdict }).toEqual({
        id: result.migrationId,
        verdict: want.verdict,
      });
      expect(decisive?.statement, result.migrationId).toContain(want.statement);
      expect(decisive?.reason, result.migrationId).toContain(want.reason);
      expect(result.sources).toEqual(["static", "schema-diff"]);
    }
    const byId = new Map(results.map((r) => [r.migrationId, r]));
    // The DO block added a column (the diff saw it) but stays unknown: its effects are not only schema.
    expect(byId.get("0012_raw_do_block")?.statements[0]?.reason).toContain(
      "[schema diff: adds nullable column users.nickname]",
    );
    // The statement that decided comes first: DROP TABLE, not the CREATE TABLE before it.
    expect(byId.get("0008_drop_table")?.statements.map((s) => s.index)).toEqual([1, 0]);
    // The live database was only read; every scratch database is gone.
    expect(
      await sql(
        cluster,
        "shop",
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'",
      ),
    ).toBe(liveBefore);
    expect(await scratchLeft()).toBe("0");
  });

  it("a migration that fails on the scratch copy is unknown (or breaking if the parser says so) and stops the truth test", async () => {
    const results = await analysisOf("shop").classify(CLASSIFY, [
      "0004_rename_column",
      "0004_rename_column",
      "0001_add_column",
    ]);
    expect(results.map((r) => r.verdict)).toEqual(["breaking", "breaking", "additive"]);
    expect(results[1]?.statements[0]?.reason).toMatch(/^renames column users.name to full_name/);
    expect(results[2]?.sources).toEqual(["static"]);
    expect(await scratchLeft()).toBe("0");
  });

  it("round trip: a good down passes, a missing down and a lying down are non-reversible", async () => {
    const results = await analysisOf("people").verifyReversible(ROUND_TRIP, [
      "0001_add_email",
      "0002_add_phone",
      "0003_add_profile",
    ]);
    expect(
      results.map((r) => [r.migrationId, r.status, r.reason.replace(/schema .*/, "…")]),
    ).toEqual([
      ["0001_add_email", "reversible", "up → down → up restores …"],
      ["0002_add_phone", "non-reversible", "no down-migration"],
      ["0003_add_profile", "non-reversible", "down leaves column users.nickname"],
    ]);
    expect(
      await sql(
        cluster,
        "people",
        "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'users'",
      ),
    ).toBe("id,name");
    expect(await scratchLeft()).toBe("0");
  });

  it("copies the live database while the service holds a connection (dump instead of TEMPLATE)", async () => {
    const holder = sql(cluster, "people", "SELECT pg_sleep(3)");
    await new Promise((r) => setTimeout(r, 500));
    const results = await analysisOf("people").verifyReversible(ROUND_TRIP, ["0001_add_email"]);
    await holder;
    expect(results[0]?.status).toBe("reversible");
    expect(await scratchLeft()).toBe("0");
  });

  it("errors name the database without its password", async () => {
    const broken = createPostgresScratchDatabases({
      url: cluster.url("no_such_db"),
      assetName: "main",
    });
    const error = (await broken.create().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain("no_such_db");
    expect(error.message).not.toContain(cluster.password);
    expect(await scratchLeft()).toBe("0");
  });
});

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, cp, readlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/demo-workspace.js";
import { stopDeployedService } from "../helpers/demo-app.js";
import {
  PG_BIN,
  type PostgresCluster,
  sql,
  startPostgresCluster,
} from "../helpers/postgres-cluster.js";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const run = promisify(execFile);
const FIXTURE = resolve(import.meta.dirname, "../fixtures/pg-service");
const PSQL = existsSync(join(PG_BIN, "psql")) ? join(PG_BIN, "psql") : "psql";
const PG_DUMP = existsSync(join(PG_BIN, "pg_dump")) ? join(PG_BIN, "pg_dump") : "pg_dump";
const PASSWORD = "pg-types-pw";
/** shipsafe connects as the database's owner (not a superuser), the service as `app`. */
const OWNER_PASSWORD = "owner-pw";
const APP_PASSWORD = "app-pw";

/**
 * The three rollback types chosen from the facts on a real PostgreSQL 15 cluster, through the
 * built CLI: a service (test/fixtures/pg-service) whose readiness needs the columns its release was
 * written for, each release carrying its sql-dir migrations, which deploy applies; the classifier
 * and round-trip check run on scratch databases restored from real snapshots; restores swap a
 * pg_restore'd copy in. Before every real rollback, `rollback --dry-run --json` is checked against
 * a schema dump plus per-table row checksums (and the list of databases) taken before and after.
 *
 * Releases: 1.0.0 (0001_orders), 1.0.1 (same), 1.1.0 (+0002_note: nullable column, with a down),
 * 1.2.0 (+0003_rename_item: rename, with a down), 2.0.0 (+0002_discounts: renames orders.qty and
 * adds coupons, no down).
 */
describe("rollback Type 1 / 2 / 3 on PostgreSQL (built CLI, real cluster, sql-dir)", () => {
  let cluster: PostgresCluster;
  let ws: { dir: string; cleanup: () => Promise<void> };
  let config: string;
  let baseUrl: string;

  const cli = (args: string[]): Promise<CliRun> =>
    shipsafe(["--config", config, ...args], {
      cwd: ws.dir,
      env: { DB_PASSWORD: OWNER_PASSWORD, APP_PASSWORD },
    });
  const ok = async (args: string[]): Promise<CliRun> => {
    const result = await cli(args);
    expect(result.code, `shipsafe ${args.join(" ")}\n${result.stderr}${result.stdout}`).toBe(0);
    return result;
  };
  const json = async (args: string[]) => {
    const result = await cli(["--json", ...args]);
    return { code: result.code, doc: JSON.parse(result.stdout || "null"), stderr: result.stderr };
  };
  const q = (statement: string): Promise<string> => sql(cluster, "shop", statement);
  const current = async (): Promise<string> =>
    (await readlink(join(ws.dir, "deploy", "current"))).replace(/^releases\//, "");
  const columns = async (): Promise<string[]> =>
    (
      await q(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'orders' ORDER BY ordinal_position",
      )
    ).split("\n");
  const applied = async (): Promise<string[]> =>
    (await q("SELECT id FROM shipsafe_migrations ORDER BY id")).split("\n");
  const count = async (table: string): Promise<number> =>
    Number(await q(`SELECT count(*) FROM ${table}`));
  const post = async (): Promise<number> =>
    (await fetch(`${baseUrl}/orders`, { method: "POST" })).status;
  const ready = async (): Promise<number> => (await fetch(`${baseUrl}/health/ready`)).status;

  /**
   * Everything a dry run could have changed: the schema (pg_dump --schema-only), every table's row
   * count and checksum, and the cluster's databases (no scratch copy left behind).
   */
  const liveState = async (): Promise<string> => {
    const { stdout: schema } = await run(
      PG_DUMP,
      ["--schema-only", "-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres", "shop"],
      { env: { ...process.env, PGPASSWORD: cluster.password }, maxBuffer: 16 * 1024 * 1024 },
    );
    // pg_dump ≥ 15.14 brackets its output with \restrict <random key>: not part of the schema.
    const parts = [schema.replace(/^\\(un)?restrict .*$/gm, "")];
    const tables = await q(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    for (const table of tables.split("\n").filter(Boolean)) {
      parts.push(
        `${table}: ${await q(`SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM "${table}" t`)}`,
      );
    }
    parts.push(
      await sql(
        cluster,
        "postgres",
        "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database",
      ),
    );
    return createHash("sha256").update(parts.join("\n")).digest("hex");
  };
  /** `rollback --dry-run --json` through the built CLI, asserting it changed nothing. */
  const dryRun = async (to: string) => {
    const before = await liveState();
    const dry = await json(["rollback", "--to", to, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.doc.status).toBe("planned");
    expect(dry.doc.outcome).toBeNull();
    expect(await liveState()).toBe(before);
    expect(`${JSON.stringify(dry.doc)}${dry.stderr}`).not.toContain(OWNER_PASSWORD);
    return dry.doc.plan;
  };
  const rollBack = (to: string, ...extra: string[]) =>
    json(["rollback", "--to", to, "--reason", "test", ...extra]);
  /** A rollback that must succeed; on failure the message has the failed step and the service's answer. */
  const rolledBack = async (to: string, ...extra: string[]) => {
    const result = await rollBack(to, ...extra);
    const why = async () =>
      `${result.stderr}\n${JSON.stringify(result.doc?.outcome?.failure ?? result.doc)}\nready: ${await fetch(
        `${baseUrl}/health/ready`,
      ).then((r) => r.text(), String)}`;
    if (result.code !== 0 || result.doc?.status !== "succeeded") expect.fail(await why());
    return result.doc;
  };
  const deploy = async (version: string): Promise<void> => {
    await ok([
      "deploy",
      version,
      "--observe",
      "200ms",
      "--baseline",
      "100ms",
      "--no-auto-rollback",
    ]);
    expect(await current()).toBe(version);
    expect(await ready()).toBe(200);
  };
  const healthy = async (version: string): Promise<void> => {
    expect(await current()).toBe(version);
    await ok(["health"]);
    const body = await (await fetch(`${baseUrl}/health/ready`)).json();
    expect(body).toEqual({ ready: true, version });
  };

  beforeAll(async () => {
    cluster = await startPostgresCluster(PASSWORD);
    ws = await tempDir("shipsafe-pgtypes-");
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await sql(
      cluster,
      "postgres",
      `CREATE ROLE shop_owner LOGIN CREATEDB PASSWORD '${OWNER_PASSWORD}';
       CREATE ROLE app LOGIN PASSWORD '${APP_PASSWORD}'`,
    );
    await sql(cluster, "postgres", "CREATE DATABASE shop OWNER shop_owner");
    config = join(ws.dir, "shipsafe.yaml");
    const pgUrl = `postgres://app@127.0.0.1:${cluster.port}/shop`;
    await writeFile(
      config,
      `version: 1
service: pg-shop
environments:
  pg:
    target:
      kind: local
      root: ./deploy
      start: [${JSON.stringify(process.execPath)}, server.mjs]
      stopGrace: 2s
      readyTimeout: 20s
      env:
        PORT: "${port}"
        PG_URL: ${JSON.stringify(pgUrl)}
        PGPASSWORD: "\${APP_PASSWORD}"
        PSQL: ${JSON.stringify(PSQL)}
    health:
      live: ${baseUrl}/health/live
      ready: ${baseUrl}/health/ready
      timeout: 5s
      interval: 100ms
      successes: 1
    state:
      - { name: db, kind: postgres, url: "postgres://shop_owner:\${DB_PASSWORD}@127.0.0.1:${cluster.port}/shop" }
    migrations: { kind: sql-dir, dir: migrations }
`,
    );
    for (const version of ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0"]) {
      const source = join(ws.dir, "src", version);
      await cp(join(FIXTURE, "releases", version), source, { recursive: true });
      await copyFile(join(FIXTURE, "server.mjs"), join(source, "server.mjs"));
      await ok(["release", "add", version, "--from", source]);
    }
    await deploy("1.0.0");
    expect(await applied()).toEqual(["0001_orders"]);
    for (let i = 0; i < 4; i++) expect(await post()).toBe(201);
  }, 120_000);

  afterAll(async () => {
    if (ws) {
      await stopDeployedService(ws.dir);
      await ws.cleanup();
    }
    await cluster?.stop();
  });

  it("Type 1: no migrations in between, the application only", async () => {
    await deploy("1.0.1");
    const plan = await dryRun("1.0.0");
    expect(plan).toMatchObject({
      type: 1,
      stateMethod: null,
      dataLoss: null,
      migrations: [],
      typeReasons: ["no migrations between 1.0.1 and 1.0.0: the application only"],
    });
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);
    await rolledBack("1.0.0");
    await healthy("1.0.0");
  });

  it("Type 2: the added column stays and 1.0.0 is ready on the new schema", async () => {
    await ok(["snapshot", "create", "--reason", "before 1.1.0"]);
    await deploy("1.1.0");
    expect(await applied()).toEqual(["0001_orders", "0002_note"]);
    expect(await post()).toBe(201);
    const plan = await dryRun("1.0.0");
    expect(plan).toMatchObject({ type: 2, stateMethod: null, dataLoss: null });
    expect(plan.migrations).toEqual([{ id: "0002_note", verdict: "additive", reversible: null }]);
    expect(plan.typeReasons[0]).toMatch(
      /^0002_note is additive: statement 1 "ALTER TABLE orders ADD COLUMN note text" adds nullable column orders\.note/,
    );
    expect(plan.snapshotAge.ageMs).toBeGreaterThanOrEqual(0);
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);

    await rolledBack("1.0.0");
    await healthy("1.0.0");
    expect(await columns()).toEqual(["id", "item", "qty", "created_at", "note"]);
    expect(await applied()).toEqual(["0001_orders", "0002_note"]);
    expect(await post()).toBe(201);
    // 0002_note stays applied although 1.0.0 does not ship it (its SQL is read from 1.1.0): rolling
    // back again to what runs healthy is a no-op, not a restore.
    const again = await json(["rollback", "--to", "1.0.0", "--reason", "test"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.doc).toMatchObject({
      status: "noop",
      plan: { type: 2, migrations: [{ id: "0002_note", verdict: "additive", reversible: null }] },
    });
  });

  it("Type 3 by down-migrations: the downs run after a safety snapshot and the schema comes back", async () => {
    await deploy("1.2.0");
    expect(await applied()).toEqual(["0001_orders", "0002_note", "0003_rename_item"]);
    expect(await columns()).toEqual(["id", "title", "qty", "created_at", "note"]);
    const rows = await count("orders");

    const plan = await dryRun("1.0.0");
    expect(plan).toMatchObject({
      type: 3,
      stateMethod: "down-migrations",
      restoreSnapshotId: null,
    });
    expect(plan.migrations).toEqual([
      { id: "0002_note", verdict: "additive", reversible: "reversible" },
      { id: "0003_rename_item", verdict: "breaking", reversible: "reversible" },
    ]);
    expect(plan.typeReasons[0]).toMatch(
      /^0003_rename_item is breaking: statement 1 "ALTER TABLE orders RENAME COLUMN item TO title"/,
    );
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      "stop",
      "safety-snapshot",
      "migrate-down",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.steps[2].params).toEqual({
      release: "1.2.0",
      to: "0001_orders",
      revert: ["0003_rename_item", "0002_note"],
    });
    // The down of 0002_note drops orders.note: its values in every row are lost.
    expect(plan.dataLoss).toMatchObject({
      method: "down-migrations",
      assets: [{ name: "db", tables: [{ table: "orders", liveRows: rows, columns: ["note"] }] }],
    });
    expect(plan.dataLoss.summary).toMatch(
      new RegExp(`column db\\.orders\\.note \\(values in ${rows} rows\\)`),
    );
    expect(plan.snapshotAge.ageMs).toBeGreaterThanOrEqual(0);

    const refused = await rollBack("1.0.0");
    expect(refused.code).toBe(4);
    expect(refused.doc.error.code).toBe("DATA_LOSS_NOT_ACCEPTED");
    expect(await current()).toBe("1.2.0");

    const result = await rolledBack("1.0.0", "--accept-data-loss");
    expect(result.outcome.safetySnapshotId).toBeTruthy();
    expect(result.outcome.steps[2].detail).toEqual({
      reverted: ["0003_rename_item", "0002_note"],
      head: "0001_orders",
    });
    await healthy("1.0.0");
    expect(await applied()).toEqual(["0001_orders"]);
    expect(await columns()).toEqual(["id", "item", "qty", "created_at"]);
    expect(await count("orders")).toBe(rows);
    expect(await post()).toBe(201);
  });

  it("Type 3 by restore: 2.0.0's breaking migration has no down; the plan states rows lost per table and the snapshot's age", async () => {
    const snap = await json(["snapshot", "create", "--reason", "before 2.0.0"]);
    expect(snap.code, snap.stderr).toBe(0);
    const ordersAtSnapshot = await q(
      "SELECT count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o",
    );
    await deploy("2.0.0");
    expect(await columns()).toEqual(["id", "item", "quantity", "created_at"]);
    for (let i = 0; i < 2; i++) expect(await post()).toBe(201);
    const liveOrders = await count("orders");

    const plan = await dryRun("1.0.0");
    expect(plan).toMatchObject({
      type: 3,
      stateMethod: "restore",
      restoreSnapshotId: snap.doc.id,
    });
    expect(plan.migrations).toEqual([
      { id: "0002_discounts", verdict: "breaking", reversible: "non-reversible" },
    ]);
    expect(plan.typeReasons).toContain(
      "0002_discounts cannot be reverted by its down-migration (no down-migration): the snapshot of 1.0.0 is restored",
    );
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      "stop",
      "safety-snapshot",
      "restore-state",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(plan.snapshotAge).toMatchObject({
      snapshotId: snap.doc.id,
      takenAt: snap.doc.createdAt,
    });
    expect(plan.snapshotAge.ageMs).toBeGreaterThanOrEqual(0);
    expect(plan.dataLoss).toMatchObject({
      method: "restore",
      snapshotId: snap.doc.id,
      snapshotAgeMs: plan.snapshotAge.ageMs,
    });
    const tables = plan.dataLoss.assets[0].tables as { table: string }[];
    expect(tables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: "orders",
          liveRows: liveOrders,
          snapshotRows: liveOrders - 2,
        }),
        expect.objectContaining({ table: "coupons", liveRows: 3, snapshotRows: null }),
      ]),
    );
    expect(tables.map((t) => t.table)).not.toContain("shipsafe_migrations");
    expect(plan.dataLoss.summary).toMatch(/table db\.coupons \(3 rows; not in the snapshot\)/);
    expect(plan.dataLoss.summary).toMatch(/2 rows in db\.orders/);

    const refused = await rollBack("1.0.0");
    expect(refused.code).toBe(4);
    expect(refused.doc.error.code).toBe("DATA_LOSS_NOT_ACCEPTED");

    const result = await rolledBack("1.0.0", "--accept-data-loss");
    expect(result.plan.restoreSnapshotId).toBe(snap.doc.id);
    expect(result.outcome.safetySnapshotId).toBeTruthy();
    await healthy("1.0.0");
    expect(
      await q("SELECT count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o"),
    ).toBe(ordersAtSnapshot);
    expect(await columns()).toEqual(["id", "item", "qty", "created_at"]);
    expect(await q("SELECT to_regclass('coupons') IS NULL")).toBe("t");
    expect(await applied()).toEqual(["0001_orders"]);
    expect(
      await sql(
        cluster,
        "postgres",
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop\\_shipsafe\\_%'",
      ),
    ).toBe("0");
    expect(await post()).toBe(201);
  });
});

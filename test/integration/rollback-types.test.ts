import { createHash } from "node:crypto";
import { cp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpawnCommandRunner } from "../../src/adapters/checks/command/spawn-command-runner.js";
import { loadConfigFile } from "../../src/adapters/config-file/load-config-file.js";
import { createCommandMaintenance } from "../../src/adapters/maintenance/command/command-maintenance.js";
import { deploy } from "../../src/app/deploy/deploy.js";
import type { EnvironmentPorts } from "../../src/app/environment.js";
import { executePlan } from "../../src/app/rollback/execute-plan.js";
import { type RollbackResult, rollback } from "../../src/app/rollback/rollback.js";
import { takeSnapshot } from "../../src/app/snapshots/take-snapshot.js";
import { openEnvironment } from "../../src/composition/environment.js";
import { openServices, type Services } from "../../src/composition/services.js";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { DEFAULT_THRESHOLDS } from "../../src/domain/observation/thresholds.js";
import { silentProgress } from "../../src/ports/progress.js";

const identity = { redactText: (t: string) => t, redactJson: <T>(v: T): T => v };

/**
 * The three rollback types chosen from the facts, against real components: the demo app on a local
 * target, its SQLite database, the sql-dir migration source applied by deploy, the classifier and
 * round-trip check on scratch copies of real snapshots, the CAS snapshot store.
 *
 * Releases: 1.0.0 (0001), 1.0.1 (same migrations), 1.1.0 (+0002_note: additive, with a down),
 * 1.2.0 (+0003_rename_item: breaking, with a down that renames back), 2.0.0 (the demo's breaking
 * 0002_discounts, no down).
 */
describe("rollback Type 1 / 2 / 3 from the migrations in between (real SQLite, sql-dir)", () => {
  let ws: DemoWorkspace;
  let services: Services;
  let ports: EnvironmentPorts;

  const current = async (): Promise<string> =>
    (await readlink(join(ws.dir, "deploy", "current"))).replace(/^releases\//, "");
  const query = <T>(sql: string): T[] => {
    const db = new Database(ws.database, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  const columns = (): string[] =>
    query<{ name: string }>("SELECT name FROM pragma_table_info('orders')").map((c) => c.name);
  const applied = (): string[] =>
    query<{ id: string }>("SELECT id FROM shipsafe_migrations ORDER BY id").map((r) => r.id);
  /** A logical dump: every table's schema and rows, plus the schema version. */
  const dump = (): string => {
    const db = new Database(ws.database, { readonly: true });
    try {
      const out: string[] = [`user_version=${db.pragma("user_version", { simple: true })}`];
      const tables = db
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all() as { name: string; sql: string }[];
      for (const t of tables) {
        out.push(t.sql, JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all()));
      }
      return createHash("sha256").update(out.join("\n")).digest("hex");
    } finally {
      db.close();
    }
  };
  const post = async (body: unknown): Promise<number> =>
    (
      await fetch(`${ws.baseUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).status;
  const healthy = async (): Promise<boolean> => (await ports.health.probe()).every((p) => p.ok);
  const deployed = async (version: string): Promise<void> => {
    const result = await deploy(ports, {
      version,
      baselineMs: 0,
      observeMs: 200,
      intervalMs: 100,
      autoRollback: false,
      rollbackTimeoutMs: 60_000,
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(result.readyAfterMs, `${version}: ${JSON.stringify(result.timeline)}`).not.toBeNull();
    expect(await current()).toBe(version);
  };
  const rollBack = (
    to: string,
    options: { dryRun?: boolean; acceptDataLoss?: boolean; with?: EnvironmentPorts } = {},
  ): Promise<RollbackResult> =>
    rollback(options.with ?? ports, {
      to,
      restoreState: false,
      emergency: false,
      reason: "test",
      timeoutMs: 120_000,
      dryRun: options.dryRun ?? false,
      resume: false,
      acceptDataLoss: options.acceptDataLoss ?? false,
    });

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    const variant = async (version: string, files: Record<string, string>): Promise<string> => {
      const dir = join(ws.dir, "src", version);
      await cp(join(ws.dir, "src", "1.0.0"), dir, { recursive: true });
      for (const [name, sql] of Object.entries(files)) {
        await writeFile(join(dir, "migrations", name), sql);
      }
      return dir;
    };
    const sources: Record<string, string> = {
      "1.0.0": join(ws.dir, "src", "1.0.0"),
      "1.0.1": await variant("1.0.1", {}),
      "1.1.0": await variant("1.1.0", {
        "0002_note.up.sql": "ALTER TABLE orders ADD COLUMN note TEXT;",
        "0002_note.down.sql": "ALTER TABLE orders DROP COLUMN note;",
      }),
      "1.2.0": await variant("1.2.0", {
        "0002_note.up.sql": "ALTER TABLE orders ADD COLUMN note TEXT;",
        "0002_note.down.sql": "ALTER TABLE orders DROP COLUMN note;",
        "0003_rename_item.up.sql": "ALTER TABLE orders RENAME COLUMN item TO title;",
        "0003_rename_item.down.sql": "ALTER TABLE orders RENAME COLUMN title TO item;",
      }),
      "2.0.0": join(ws.dir, "src", "2.0.0"),
    };
    // The demo workspace tracks its releases' migrations (sql-dir), as docs/rollback.md shows.
    const loaded = await loadConfigFile(ws.configFile, {}, process.env);
    services = await openServices(join(ws.dir, ".shipsafe"), identity, { command: "test" });
    ports = await openEnvironment(services, loaded, "demo", {
      actor: "tester",
      progress: silentProgress,
    });
    expect(ports.migrations?.kind).toBe("sql-dir");
    expect(ports.migrationAnalysis).toBeDefined();
    for (const [version, dir] of Object.entries(sources))
      await ports.target.addRelease(version, dir);
    await deployed("1.0.0");
    for (let i = 0; i < 4; i++) expect(await post({ item: `w${i}`, qty: 1 })).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await ports?.target.stop().catch(() => undefined);
    await services?.close();
    if (ws) await rm(ws.dir, { recursive: true, force: true });
  });

  it("Type 1: no migrations in between, the application only", async () => {
    await deployed("1.0.1");
    const result = await rollBack("1.0.0");
    expect(result.status, result.message).toBe("succeeded");
    expect(result.plan).toMatchObject({
      type: 1,
      stateMethod: null,
      dataLoss: null,
      migrations: [],
    });
    expect(result.plan.typeReasons).toEqual([
      "no migrations between 1.0.1 and 1.0.0: the application only",
    ]);
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);
  });

  it("a command maintenance mode goes on before writes stop and off after health is verified", async () => {
    const log = join(ws.dir, "maintenance.log");
    // Each call records whether the service answered at that moment.
    const script = `fetch(process.argv[2]).then(() => "up", () => "down").then((s) =>
      require("node:fs").appendFileSync(process.argv[1], process.argv[3] + " " + s + "\\n"))`;
    const maintenance = createCommandMaintenance({
      on: [process.execPath, "-e", script, log, `${ws.baseUrl}/health/live`, "on"],
      off: [process.execPath, "-e", script, log, `${ws.baseUrl}/health/live`, "off"],
      timeoutMs: 10_000,
      runner: createSpawnCommandRunner({ baseDir: ws.dir }),
    });
    const result = await rollBack("1.0.1", { with: { ...ports, maintenance } });
    expect(result.status, result.message).toBe("succeeded");
    expect(result.plan.steps.map((s) => s.kind)).toEqual([
      "maintenance-on",
      "stop",
      "switch-release",
      "start",
      "verify-health",
      "maintenance-off",
    ]);
    expect(result.outcome?.steps.map((s) => s.status)).toEqual(Array(6).fill("succeeded"));
    expect(await readFile(log, "utf8")).toBe("on up\noff up\n");
    expect((await rollBack("1.0.0")).status).toBe("succeeded");
  });

  it("Type 2: an added column stays, the old release serves on the new schema", async () => {
    await takeSnapshot(ports, "before 1.1.0");
    await deployed("1.1.0");
    expect(applied()).toEqual(["0001_orders", "0002_note"]);
    const result = await rollBack("1.0.0");
    expect(result.status, result.message).toBe("succeeded");
    expect(result.plan.type).toBe(2);
    expect(result.plan.migrations).toEqual([
      { id: "0002_note", verdict: "additive", reversible: null },
    ]);
    expect(result.plan.steps.map((s) => s.kind)).toEqual([
      "stop",
      "switch-release",
      "start",
      "verify-health",
    ]);
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);
    expect(await post({ item: "after-type-2", qty: 2 })).toBe(201);
    expect(columns()).toContain("note");
    expect(applied()).toEqual(["0001_orders", "0002_note"]);
    // 0002_note stays applied although 1.0.0 does not ship it: its SQL is read from 1.1.0, it is
    // still additive, and rolling back to what runs healthy is a no-op (not a restore).
    const again = await rollBack("1.0.0");
    expect(again.status).toBe("noop");
    expect(again.plan).toMatchObject({
      type: 2,
      migrations: [{ id: "0002_note", verdict: "additive", reversible: null }],
    });
  });

  it("Type 3 by down-migrations: every migration in between passed the round-trip check", async () => {
    await deployed("1.2.0");
    expect(columns()).toContain("title");
    const before = dump();
    const dry = await rollBack("1.0.0", { dryRun: true });
    expect(dump()).toBe(before);
    const plan = JSON.parse(JSON.stringify(dry.plan));
    expect(plan).toMatchObject({
      type: 3,
      stateMethod: "down-migrations",
      restoreSnapshotId: null,
    });
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
    // The downs drop orders.note: its values in every row are lost, so consent is needed.
    expect(plan.dataLoss.summary).toMatch(/column orders\.orders\.note \(values in \d+ rows\)/);
    await expect(rollBack("1.0.0")).rejects.toMatchObject({ code: "DATA_LOSS_NOT_ACCEPTED" });
    expect(dump()).toBe(before);

    const result = await rollBack("1.0.0", { acceptDataLoss: true });
    expect(result.status, result.message).toBe("succeeded");
    expect(result.outcome?.safetySnapshotId).toBeTruthy();
    expect(applied()).toEqual(["0001_orders"]);
    expect(columns()).toEqual(["id", "item", "qty", "created_at"]);
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);
    expect(await post({ item: "after-downs", qty: 1 })).toBe(201);
  });

  it("a migrate-down interrupted half-way is run again on resume and reverts only what is still applied", async () => {
    await deployed("1.2.0");
    const { plan } = await rollBack("1.0.0", { dryRun: true });
    expect(plan.stateMethod).toBe("down-migrations");
    // The killed run: stop and safety snapshot done, migrate-down in flight after reverting one.
    await executePlan(ports, { ...plan, steps: plan.steps.slice(0, 2) });
    const release = await ports.target.release("1.2.0");
    await ports.migrations?.down(release?.path as string, { count: 1 });
    await ports.store.journal.record({
      rollbackId: plan.id,
      index: 2,
      name: "migrate-down",
      status: "running",
      at: new Date().toISOString(),
      detail: {},
    });
    expect(applied()).toEqual(["0001_orders", "0002_note"]);

    const outcome = await executePlan(ports, plan);
    expect(outcome.status, JSON.stringify(outcome.failure)).toBe("succeeded");
    expect(outcome.resumed).toBe(true);
    expect(outcome.steps.map((s) => s.status)).toEqual([
      "skipped",
      "skipped",
      "succeeded",
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    expect(outcome.steps[2]?.detail).toEqual({ reverted: ["0002_note"], head: "0001_orders" });
    expect(applied()).toEqual(["0001_orders"]);
    expect(columns()).toEqual(["id", "item", "qty", "created_at"]);
    expect(await healthy()).toBe(true);
  });

  it("Type 3 by restore: the demo's 2.0.0 has a breaking migration without a down; the plan states the data lost", async () => {
    await takeSnapshot(ports, "before 2.0.0");
    const ordersAtSnapshot = query<{ n: number }>("SELECT count(*) AS n FROM orders")[0]?.n;
    await deployed("2.0.0");
    await fetch(`${ws.baseUrl}/admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 0 }),
    });
    for (let i = 0; i < 3; i++) expect(await post({ item: `v2-${i}`, qty: 1 })).toBe(201);
    expect(columns()).toContain("quantity");

    const before = dump();
    const dry = JSON.parse(JSON.stringify(await rollBack("1.0.0", { dryRun: true })));
    expect(dump()).toBe(before);
    expect(dry.status).toBe("planned");
    expect(dry.plan).toMatchObject({ type: 3, stateMethod: "restore" });
    expect(dry.plan.migrations).toEqual([
      { id: "0002_discounts", verdict: "breaking", reversible: "non-reversible" },
    ]);
    expect(dry.plan.typeReasons).toContain(
      "0002_discounts cannot be reverted by its down-migration (no down-migration): the snapshot of 1.0.0 is restored",
    );
    expect(dry.plan.snapshotAge).toMatchObject({ snapshotId: dry.plan.restoreSnapshotId });
    expect(dry.plan.snapshotAge.ageMs).toBeGreaterThanOrEqual(0);
    const tables = dry.plan.dataLoss.assets[0].tables as { table: string }[];
    expect(tables.map((t) => t.table)).toEqual(expect.arrayContaining(["orders", "coupons"]));
    expect(dry.plan.dataLoss.summary).toMatch(
      /table orders\.coupons \(3 rows; not in the snapshot\)/,
    );
    expect(dry.plan.dataLoss.summary).toMatch(/3 rows in orders\.orders/);

    await expect(rollBack("1.0.0")).rejects.toMatchObject({ code: "DATA_LOSS_NOT_ACCEPTED" });
    const result = await rollBack("1.0.0", { acceptDataLoss: true });
    expect(result.status, result.message).toBe("succeeded");
    expect(await current()).toBe("1.0.0");
    expect(await healthy()).toBe(true);
    expect(query<{ n: number }>("SELECT count(*) AS n FROM orders")[0]?.n).toBe(ordersAtSnapshot);
    expect(columns()).toContain("qty");
    expect(applied()).toEqual(["0001_orders"]);
    expect(await post({ item: "after-restore", qty: 1 })).toBe(201);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlDirMigrationRunner } from "../../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createSqliteTrackingDatabase } from "../../adapters/migrations/sql-dir/sqlite-tracking-database.js";
import { DEFAULT_THRESHOLDS } from "../../domain/observation/thresholds.js";
import { deploy } from "../deploy/deploy.js";
import { fakeEnvironment, release } from "../gate/gate-fakes.test-support.js";
import { getReleaseRecord } from "../release/release-records.js";
import { migrateDown, migrateUp } from "./run-migrations.js";

/**
 * The migrate use cases and deploy's migration step over the real sql-dir source on a SQLite file;
 * the rest of the environment (target, store, ledger) is in memory.
 */
describe("migrate up/down and deploy's migration step", () => {
  let work: string;
  let n = 0;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "shipsafe-app-mig-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  const environment = async (versions: Record<string, Record<string, string>>) => {
    n += 1;
    const releases = [];
    for (const [version, files] of Object.entries(versions)) {
      const path = join(work, `${n}`, version);
      await mkdir(join(path, "migrations"), { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        await writeFile(join(path, "migrations", name), text);
      }
      releases.push({ ...release(version), path });
    }
    const env = fakeEnvironment({ releases, current: releases[0]?.version });
    const activated: string[] = [];
    const ports = {
      ...env.ports,
      target: { ...env.ports.target, activate: async (v: string) => void activated.push(v) },
      migrations: createSqlDirMigrationRunner({
        dir: "migrations",
        database: createSqliteTrackingDatabase(join(work, `${n}`, "app.db")),
      }),
    };
    return { ...env, ports, activated };
  };
  const v1 = {
    "0001_init.up.sql": "CREATE TABLE orders (id INTEGER PRIMARY KEY);",
    "0001_init.down.sql": "DROP TABLE orders;",
  };
  const v2 = {
    ...v1,
    "0002_email.up.sql": "ALTER TABLE orders ADD COLUMN email TEXT;",
    "0002_email.down.sql": "ALTER TABLE orders DROP COLUMN email;",
  };

  it("plans without running on --dry-run, then runs and records migration.up / migration.down", async () => {
    const { ports, ledger, events } = await environment({ "1.0.0": v1, "2.0.0": v2 });
    const dry = await migrateUp(ports, { version: "2.0.0", dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      ran: null,
      head: "0002_email",
      plan: {
        direction: "up",
        version: "2.0.0",
        from: null,
        migrations: ["0001_init", "0002_email"],
      },
    });
    expect((await ports.migrations.status(join(work, `${n}`, "2.0.0"))).head).toBeNull();
    expect(ledger.rows).toEqual([]);

    const up = await migrateUp(ports, { version: "2.0.0", to: "0001_init", dryRun: false });
    expect(up.ran?.map((m) => m.id)).toEqual(["0001_init"]);
    await migrateUp(ports, { version: "2.0.0", dryRun: false });
    expect(
      events.filter((e) => e.type === "step-finished").map((e) => "step" in e && e.step),
    ).toEqual(["migrate up 0001_init", "migrate up 0002_email"]);

    const down = await migrateDown(ports, { target: { count: 1 }, dryRun: false });
    expect(down.plan).toMatchObject({
      version: "1.0.0",
      migrations: ["0002_email"],
      to: "0001_init",
    });
    expect(ledger.rows.map((e) => [e.kind, e.subject, e.data])).toEqual([
      [
        "migration.up",
        "2.0.0",
        { status: "succeeded", from: null, head: "0001_init", migrations: ["0001_init"] },
      ],
      [
        "migration.up",
        "2.0.0",
        { status: "succeeded", from: "0001_init", head: "0002_email", migrations: ["0002_email"] },
      ],
      [
        "migration.down",
        "1.0.0",
        { status: "succeeded", from: "0002_email", head: "0001_init", migrations: ["0002_email"] },
      ],
    ]);
  });

  it("deploy applies the new release's migrations before switching and keeps the head in the release record", async () => {
    const { ports, activated } = await environment({ "1.0.0": v1, "2.0.0": v2 });
    const result = await deploy(ports, {
      version: "2.0.0",
      baselineMs: 0,
      observeMs: 0,
      intervalMs: 1,
      autoRollback: false,
      rollbackTimeoutMs: 1000,
      thresholds: DEFAULT_THRESHOLDS,
    });
    expect(activated).toEqual(["2.0.0"]);
    expect(result.timeline.map((t) => t.event)).toContain(
      "migrations: applied 0001_init, 0002_email; head 0002_email",
    );
    expect((await getReleaseRecord(ports, "2.0.0"))?.doc.migrationsHead).toBe("0002_email");
  });

  it("a failing migration stops the deploy before the switch; the ledger says what ran", async () => {
    const { ports, activated, ledger } = await environment({
      "1.0.0": v1,
      "2.0.0": { ...v2, "0003_broken.up.sql": "INSERT INTO no_such_table VALUES (1);" },
    });
    const error = await deploy(ports, {
      version: "2.0.0",
      baselineMs: 0,
      observeMs: 0,
      intervalMs: 1,
      autoRollback: false,
      rollbackTimeoutMs: 1000,
      thresholds: DEFAULT_THRESHOLDS,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "DEPLOY_MIGRATIONS_FAILED",
      message: expect.stringMatching(
        /^deploy of 2\.0\.0 stopped before switching releases: migration 0003_broken \(up\) failed and was rolled back: .*no_such_table.* \(1\.0\.0 keeps running\)$/s,
      ),
    });
    expect(activated).toEqual([]);
    const failed = ledger.rows.find((e) => e.kind === "migration.up");
    expect(failed?.data).toMatchObject({
      status: "failed",
      planned: ["0001_init", "0002_email", "0003_broken"],
      migrations: ["0001_init", "0002_email"],
    });
    expect(ledger.rows.at(-1)).toMatchObject({
      kind: "deploy.finished",
      data: { verdict: "failed" },
    });
  });
});

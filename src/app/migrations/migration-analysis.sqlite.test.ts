import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileRunner } from "../../adapters/checks/process/run-process.js";
import { createCommandMigrationRunner } from "../../adapters/migrations/command/command-migration-runner.js";
import { createSqlDirMigrationRunner } from "../../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createSqliteTrackingDatabase } from "../../adapters/migrations/sql-dir/sqlite-tracking-database.js";
import { createSqliteScratchDatabases } from "../../adapters/schema/sqlite/sqlite-scratch-databases.js";
import { createPgQueryParser } from "../../adapters/sql-parser/pg-query/pg-query-parser.js";
import { createSqliteAsset } from "../../adapters/state/sqlite/sqlite-asset.js";
import { openCasSnapshotStoreAt } from "../../composition/snapshot-store.js";
import { createMigrationAnalysis } from "./analysis-sql.js";

const RELEASE = resolve("test/fixtures/migrations/round-trip");
const IDS = ["0001_add_email", "0002_add_phone", "0003_add_profile"];

let dir: string;
let live: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-analysis-sqlite-"));
  live = join(dir, "app.sqlite");
  const db = new Database(live);
  db.exec(await readFile(join(RELEASE, "base.sql"), "utf8"));
  db.close();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

function analysis(snapshots?: Parameters<typeof createSqliteScratchDatabases>[0]["snapshots"]) {
  return createMigrationAnalysis({
    runner: createSqlDirMigrationRunner({
      dir: "migrations",
      database: createSqliteTrackingDatabase(live),
    }),
    parser: createPgQueryParser(),
    scratch: createSqliteScratchDatabases({
      path: live,
      assetName: "main",
      tempDir: dir,
      ...(snapshots ? { snapshots } : {}),
    }),
  });
}

describe("migration analysis on SQLite (real files, the sql-dir source)", () => {
  it("round trip: a good down passes, a missing down and a lying down are non-reversible; the live file is untouched", async () => {
    const before = await sha(live);
    const results = await analysis().verifyReversible(RELEASE, IDS);
    expect(results).toEqual([
      {
        migrationId: "0001_add_email",
        status: "reversible",
        reason: expect.stringMatching(/^up → down → up restores schema/),
      },
      { migrationId: "0002_add_phone", status: "non-reversible", reason: "no down-migration" },
      {
        migrationId: "0003_add_profile",
        status: "non-reversible",
        reason: "down leaves column users.nickname",
      },
    ]);
    expect(await sha(live)).toBe(before);
    const leftovers = (await import("node:fs/promises")).readdir(dir);
    expect((await leftovers).filter((f) => f.startsWith("shipsafe-scratch-"))).toEqual([]);
  });

  it("classifies on a scratch copy: additive columns, each statement named", async () => {
    const results = await analysis().classify(RELEASE, IDS);
    expect(results.map((r) => [r.migrationId, r.verdict, r.sources])).toEqual([
      ["0001_add_email", "additive", ["static", "schema-diff"]],
      ["0002_add_phone", "additive", ["static", "schema-diff"]],
      ["0003_add_profile", "additive", ["static", "schema-diff"]],
    ]);
    expect(results[2]?.statements.map((s) => [s.statement, s.reason])).toEqual([
      [
        "ALTER TABLE users ADD COLUMN nickname text",
        "adds nullable column users.nickname [schema diff: adds nullable column users.nickname]",
      ],
      [
        "ALTER TABLE users ADD COLUMN avatar text",
        "adds nullable column users.avatar [schema diff: adds nullable column users.avatar]",
      ],
    ]);
  });

  it("works from a snapshot's copy of the database when the live file has moved on", async () => {
    const store = await openCasSnapshotStoreAt(join(dir, "cas"));
    const snapshot = await store.create({ env: "test", service: "app", reason: "manual" }, [
      createSqliteAsset({ name: "main", path: live }),
    ]);
    const db = new Database(live);
    db.exec("ALTER TABLE users ADD COLUMN email text");
    db.close();
    const fromLive = await analysis(store).verifyReversible(RELEASE, IDS.slice(0, 1));
    expect(fromLive[0]).toMatchObject({
      status: "non-reversible",
      reason: expect.stringMatching(/^up failed: duplicate column name: email/),
    });
    const fromSnapshot = await analysis(store).verifyReversible(RELEASE, IDS.slice(0, 1), {
      snapshotId: snapshot.id,
    });
    expect(fromSnapshot[0]?.status).toBe("reversible");
  });

  it("a command source shows no SQL: unknown and non-reversible, saying why, without a scratch copy", async () => {
    const commandAnalysis = createMigrationAnalysis({
      runner: createCommandMigrationRunner({
        up: ["true"],
        down: ["true"],
        status: ["true"],
        statusFormat: { kind: "json" },
        cwd: ".",
        timeoutMs: 5000,
        run: execFileRunner,
      }),
      parser: createPgQueryParser(),
      scratch: createSqliteScratchDatabases({
        path: join(dir, "absent.sqlite"),
        assetName: "main",
      }),
    });
    const [classified] = await commandAnalysis.classify(RELEASE, ["0001_add_email"]);
    expect(classified).toMatchObject({
      verdict: "unknown",
      statements: [{ reason: "the command source does not expose SQL" }],
    });
    const [reversibility] = await commandAnalysis.verifyReversible(RELEASE, ["0001_add_email"]);
    expect(reversibility).toMatchObject({
      status: "non-reversible",
      reason: expect.stringMatching(/does not expose SQL/),
    });
  });
});

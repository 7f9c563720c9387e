import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqlDirMigrationRunner } from "../../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createSqliteTrackingDatabase } from "../../adapters/migrations/sql-dir/sqlite-tracking-database.js";
import { createLocalTarget } from "../../adapters/targets/local/local-target.js";
import type { Target } from "../../ports/target.js";
import { migrationsBetween, releaseDirOf } from "./analysis-targets.js";

const FIXTURE = resolve("test/fixtures/migrations/round-trip");

let dir: string;
let target: Target;
let live: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-analysis-targets-"));
  target = createLocalTarget({ root: join(dir, "target"), start: ["true"], stopGrace: 1000 });
  // 1.0.0 ships 0001; 2.0.0 ships 0001 and 0002.
  for (const [version, files] of [
    ["1.0.0", ["0001_add_email.up.sql", "0001_add_email.down.sql"]],
    ["2.0.0", ["0001_add_email.up.sql", "0001_add_email.down.sql", "0002_add_phone.up.sql"]],
  ] as const) {
    const src = join(dir, `src-${version}`, "migrations");
    await mkdir(src, { recursive: true });
    for (const f of files) await cp(join(FIXTURE, "migrations", f), join(src, f));
    await target.addRelease(version, join(dir, `src-${version}`));
  }
  await target.activate("2.0.0");
  live = join(dir, "app.sqlite");
  const db = new Database(live);
  db.exec(await readFile(join(FIXTURE, "base.sql"), "utf8"));
  db.close();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("which migrations an analysis is about (local target, sql-dir source, SQLite)", () => {
  const runner = () =>
    createSqlDirMigrationRunner({
      dir: "migrations",
      database: createSqliteTrackingDatabase(live),
    });

  it("without --from: the active release's pending migrations", async () => {
    const scope = await migrationsBetween(runner(), target, {});
    expect(scope).toMatchObject({
      version: "2.0.0",
      ids: ["0001_add_email", "0002_add_phone"],
      selection: "pending in 2.0.0",
    });
    await runner().up(scope.releaseDir, { to: "0001_add_email" });
    expect((await migrationsBetween(runner(), target, {})).ids).toEqual(["0002_add_phone"]);
  });

  it("between two releases, in either direction, read from the release that ships them", async () => {
    const forward = await migrationsBetween(runner(), target, { from: "1.0.0", to: "2.0.0" });
    expect(forward).toMatchObject({ version: "2.0.0", ids: ["0002_add_phone"] });
    const back = await migrationsBetween(runner(), target, { from: "2.0.0", to: "1.0.0" });
    expect(back).toMatchObject({
      version: "2.0.0",
      ids: ["0002_add_phone"],
      selection: "in 2.0.0, not in 1.0.0",
    });
  });

  it("an unknown release is a usage error naming it", async () => {
    await expect(releaseDirOf(target, "9.9.9")).rejects.toMatchObject({
      code: "RELEASE_NOT_FOUND",
      message: "release 9.9.9 is not stored on the target",
    });
  });
});

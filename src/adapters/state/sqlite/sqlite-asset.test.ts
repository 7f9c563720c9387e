import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashFile, withFileDigests } from "../files/durable-copy.js";
import { createSqliteAsset } from "./sqlite-asset.js";
import {
  countEvents,
  inspectCopy,
  startWriter,
  stopWriters,
} from "./sqlite-writer.test-support.js";

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-sqlite-asset-"));
});
afterEach(async () => {
  stopWriters();
  await rm(work, { recursive: true, force: true });
});

function makeDb(path: string, journalMode: "wal" | "delete", rows = 100): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
           CREATE TABLE "odd ""name""" (x); INSERT INTO "odd ""name""" VALUES (1), (2);
           CREATE TABLE padding (b BLOB); PRAGMA user_version = 7;`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
           INSERT INTO padding SELECT randomblob(4096) FROM n`);
  const insert = db.prepare("INSERT INTO events (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`seed ${i}`);
  })();
  db.close();
}

describe("sqlite state asset", () => {
  for (const mode of ["wal", "delete"] as const) {
    it(`captures a consistent copy while another process keeps writing (${mode})`, async () => {
      const live = join(work, "app.db");
      makeDb(live, mode);
      const child = await startWriter(live, work);

      const before = countEvents(live);
      const dir = join(work, "snap");
      await mkdir(dir);
      const manifest = await withFileDigests(
        dir,
        await createSqliteAsset({ name: "main", path: live }).capture(dir),
      );
      await sleep(50);
      const after = countEvents(live);
      child.kill("SIGKILL");

      const { integrity, events: copied } = inspectCopy(join(dir, "main.sqlite"));
      expect(integrity).toBe("ok");
      expect(copied).toBeGreaterThanOrEqual(before);
      expect(copied).toBeLessThanOrEqual(after);
      expect(after).toBeGreaterThan(before);
      expect(manifest.details).toEqual({
        schemaVersion: 7,
        tables: { events: copied, 'odd "name"': 2, padding: 2000 },
        journalMode: mode,
      });
      expect(manifest.files).toEqual([
        { path: "main.sqlite", ...(await hashFile(join(dir, "main.sqlite"))) },
      ]);
      // The snapshot is one self-contained file.
      expect(await readdir(dir)).toEqual(["main.sqlite"]);
    });
  }

  it("restores over the live database, removing the old one's -wal and -shm", async () => {
    const live = join(work, "app.db");
    makeDb(live, "wal");
    const asset = createSqliteAsset({ name: "main", path: live });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));

    const db = new Database(live);
    db.exec(
      "INSERT INTO events (body) VALUES ('after'); DROP TABLE padding; PRAGMA user_version = 8",
    );
    db.close();
    await writeFile(`${live}-wal`, "stale wal of the old database");
    await asset.restore(dir, manifest);

    expect(existsSync(`${live}-wal`)).toBe(false);
    expect(await asset.inspect()).toEqual({
      schemaVersion: manifest.details.schemaVersion,
      tables: manifest.details.tables,
    });
    const restored = new Database(live);
    expect(restored.pragma("journal_mode", { simple: true })).toBe("wal");
    restored.close();
    expect((await readdir(work)).filter((name) => name.includes(".restore-"))).toEqual([]);
  });

  it("refuses to restore while another connection is writing, and replaces nothing", async () => {
    const live = join(work, "app.db");
    makeDb(live, "wal");
    const asset = createSqliteAsset({ name: "main", path: live });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    const writer = new Database(live);
    writer.exec("BEGIN IMMEDIATE; INSERT INTO events (body) VALUES ('in flight')");
    try {
      await expect(asset.restore(dir, manifest)).rejects.toMatchObject({ code: "ASSET_IN_USE" });
    } finally {
      writer.exec("COMMIT");
      writer.close();
    }
    expect(countEvents(live)).toBe(101);
    expect((await readdir(work)).filter((name) => name.includes(".restore-"))).toEqual([]);
  });

  it("refuses a snapshot file that no longer matches its manifest", async () => {
    const live = join(work, "app.db");
    makeDb(live, "delete");
    const asset = createSqliteAsset({ name: "main", path: live });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    const liveHash = await hashFile(live);
    const file = manifest.files[0] as { path: string; size: number; sha256: string };
    const altered = { ...manifest, files: [{ ...file, sha256: "0".repeat(64) }] };
    await expect(asset.restore(dir, altered)).rejects.toMatchObject({ code: "SNAPSHOT_CORRUPT" });
    expect(await hashFile(live)).toEqual(liveHash);
  });

  it("restores into a sandbox, checks it, and leaves the live database alone", async () => {
    const live = join(work, "app.db");
    makeDb(live, "wal");
    const asset = createSqliteAsset({ name: "main", path: live });
    const dir = join(work, "snap");
    await mkdir(dir);
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    const liveHash = await hashFile(live);

    const report = await asset.restoreInto(dir, manifest, join(work, "sandbox"));
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      "sha256",
      "integrity_check",
      "schema version",
      "rows events",
      'rows odd "name"',
      "rows padding",
    ]);
    expect(await hashFile(live)).toEqual(liveHash);
    expect(countEvents(join(work, "sandbox", "main.sqlite"))).toBe(100);

    const wrong = { ...manifest, details: { ...manifest.details, tables: { events: 99 } } };
    const second = await asset.restoreInto(dir, wrong, join(work, "sandbox2"));
    expect(second.ok).toBe(false);
    expect(second.checks.filter((check) => !check.ok)).toEqual([
      { name: "rows events", ok: false, detail: "100 (manifest 99)" },
      { name: 'rows odd "name"', ok: false, detail: "2 (manifest no such table)" },
      { name: "rows padding", ok: false, detail: "2000 (manifest no such table)" },
    ]);
  });

  it("names the path of a database that does not exist", async () => {
    const asset = createSqliteAsset({ name: "main", path: join(work, "missing.db") });
    const dir = join(work, "snap");
    await mkdir(dir);
    await expect(asset.capture(dir)).rejects.toMatchObject({
      code: "ASSET_NOT_FOUND",
      kind: "runtime",
      message: expect.stringContaining(join(work, "missing.db")),
    });
    await expect(asset.inspect()).rejects.toMatchObject({ code: "ASSET_NOT_FOUND" });
  });
});

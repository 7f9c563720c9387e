import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../ports/progress.js";
import type { StateAsset } from "../../../ports/state-asset.js";
import { hashFile } from "../../state/files/durable-copy.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { createSqliteAsset } from "../../state/sqlite/sqlite-asset.js";
import { openDirSnapshotStore } from "./dir-snapshot-store.js";

let work: string;
let stateDir: string;
let project: string;
let assets: StateAsset[];
const meta = { env: "prod", service: "shop", reason: "manual" };

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-dir-snapshots-"));
  stateDir = join(work, ".shipsafe");
  project = join(work, "project");
  await mkdir(join(project, "data"), { recursive: true });
  await mkdir(join(project, "uploads/2026"), { recursive: true });
  await writeFile(join(project, "uploads/2026/a.txt"), "alpha\n");
  const db = new Database(join(project, "data/app.db"));
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); PRAGMA user_version = 3");
  db.exec("INSERT INTO users (name) VALUES ('ann'), ('bob')");
  db.close();
  assets = [
    createSqliteAsset({ name: "main", path: join(project, "data/app.db") }),
    createFilesAsset({ name: "uploads", paths: [join(project, "uploads")], baseDir: project }),
  ];
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function users(): number {
  const db = new Database(join(project, "data/app.db"), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM users").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("directory snapshot store", () => {
  it("creates, lists, verifies and restores a snapshot, reporting progress", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const events: ProgressEvent[] = [];
    const manifest = await store.create(meta, assets, { report: (e) => events.push(e) });
    expect(manifest.id).toMatch(/^snap-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(await readdir(join(stateDir, "snapshots"))).toEqual([manifest.id]);
    expect((await readdir(join(stateDir, "snapshots", manifest.id))).sort()).toEqual([
      "main",
      "manifest.json",
      "uploads",
    ]);
    expect(await store.list()).toEqual([manifest]);
    expect(await store.list({ env: "staging" })).toEqual([]);
    expect(await store.get(manifest.id)).toEqual(manifest);
    expect(await store.verify(manifest.id)).toEqual({ id: manifest.id, ok: true, problems: [] });
    expect(events.map((e) => `${e.type} ${"step" in e ? e.step : ""}`)).toEqual([
      "step-started snapshot main",
      "bytes snapshot main",
      "step-finished snapshot main",
      "step-started snapshot uploads",
      "bytes snapshot uploads",
      "step-finished snapshot uploads",
    ]);
    expect(manifest.assets[0]?.details).toMatchObject({ schemaVersion: 3, tables: { users: 2 } });

    const db = new Database(join(project, "data/app.db"));
    db.exec("INSERT INTO users (name) VALUES ('eve')");
    db.close();
    await writeFile(join(project, "uploads/2026/a.txt"), "changed\n");
    expect(users()).toBe(3);

    events.length = 0;
    await store.restore(manifest.id, assets, { report: (e) => events.push(e) });
    expect(users()).toBe(2);
    const file = manifest.assets[1]?.files[0];
    expect(await hashFile(join(project, "uploads/2026/a.txt"))).toEqual({
      size: file?.size,
      sha256: file?.sha256,
    });
    expect(events.filter((e) => e.type === "step-finished")).toEqual([
      { type: "step-finished", step: "restore main", status: "succeeded" },
      { type: "step-finished", step: "restore uploads", status: "succeeded" },
    ]);
  });

  it("restores into a sandbox without touching the live files", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const { id } = await store.create(meta, assets);
    const live = [join(project, "data/app.db"), join(project, "uploads/2026/a.txt")];
    const before = await Promise.all(live.map(hashFile));

    const reports = await store.restoreInto(id, assets, join(work, "sandbox"));
    expect(reports.map((report) => report.ok)).toEqual([true, true]);
    expect(await readFile(join(work, "sandbox/uploads/uploads/2026/a.txt"), "utf8")).toBe(
      "alpha\n",
    );
    expect(await readdir(join(work, "sandbox/main"))).toEqual(["main.sqlite"]);
    expect(await Promise.all(live.map(hashFile))).toEqual(before);
  });

  it("verify finds a flipped byte and an edited manifest; restore then refuses", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const { id } = await store.create(meta, assets);
    const dir = join(stateDir, "snapshots", id);
    const data = join(dir, "main/main.sqlite");
    const original = await readFile(data);
    const bytes = Buffer.from(original);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(data, bytes);
    const flipped = await store.verify(id);
    expect(flipped.ok).toBe(false);
    expect(flipped.problems).toEqual([
      expect.stringMatching(/^main\/main\.sqlite: sha256 [0-9a-f]{64}, manifest says/),
    ]);
    const users0 = users();
    await expect(store.restore(id, assets)).rejects.toMatchObject({
      code: "SNAPSHOT_CORRUPT",
      kind: "runtime",
      message: expect.stringContaining("main/main.sqlite"),
    });
    expect(users()).toBe(users0);

    await writeFile(data, original);
    const manifestFile = join(dir, "manifest.json");
    const text = await readFile(manifestFile, "utf8");
    await writeFile(manifestFile, text.replace('"reason": "manual"', '"reason": "release:9.9.9"'));
    const edited = await store.verify(id);
    expect(edited.problems).toEqual([expect.stringContaining("manifest.json was altered")]);
    // A tampered snapshot is not listed, but verify still reports on it.
    expect(await store.list()).toEqual([]);
    await rm(join(dir, "uploads/uploads/2026/a.txt"));
    expect((await store.verify(id)).problems).toContain("uploads/uploads/2026/a.txt: missing");
  });

  it("names the newest snapshots for an unknown id and refuses unconfigured assets", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const { id } = await store.create(meta, assets);
    for (const call of [
      () => store.verify("snap-20200101T000000Z-abcdef"),
      () => store.restore("../../etc", assets),
      () => store.restoreInto("nope", assets, join(work, "sandbox")),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: "SNAPSHOT_UNKNOWN",
        kind: "usage",
        hint: expect.stringContaining(id),
      });
    }
    await expect(store.restore(id, assets.slice(1))).rejects.toMatchObject({
      code: "SNAPSHOT_ASSET_UNKNOWN",
      message: expect.stringContaining("main"),
    });
    expect(await store.get("nope")).toBeUndefined();
  });

  it("leaves nothing behind when a capture fails", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const broken = createSqliteAsset({ name: "gone", path: join(project, "data/missing.db") });
    await expect(store.create(meta, [assets[1] as StateAsset, broken])).rejects.toMatchObject({
      code: "ASSET_NOT_FOUND",
    });
    expect(await readdir(join(stateDir, "snapshots"))).toEqual([]);
  });

  it("list ignores unfinished snapshots and removes those whose creator died over an hour ago", async () => {
    const store = await openDirSnapshotStore(stateDir);
    const { id } = await store.create(meta, assets);
    const root = join(stateDir, "snapshots");
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const tmp = async (name: string, pid: number, host: string, at: Date) => {
      await mkdir(join(root, name, "main"), { recursive: true });
      await writeFile(join(root, name, ".pid"), `${pid}\n${host}\n`);
      await utimes(join(root, name), at, at);
    };
    await tmp(".tmp-snap-20200101T000000Z-000001", deadPid, hostname(), old);
    await tmp(".tmp-snap-20200101T000000Z-000002", process.pid, hostname(), old);
    await tmp(".tmp-snap-20200101T000000Z-000003", deadPid, hostname(), new Date());
    await tmp(".tmp-snap-20200101T000000Z-000004", deadPid, "another-host", old);
    await mkdir(join(root, "snap-20200101T000000Z-000005"));
    await writeFile(join(root, "snap-20200101T000000Z-000005/manifest.json"), "{ not json");

    expect((await store.list()).map((m) => m.id)).toEqual([id]);
    expect((await readdir(root)).sort()).toEqual([
      ".tmp-snap-20200101T000000Z-000002",
      ".tmp-snap-20200101T000000Z-000003",
      ".tmp-snap-20200101T000000Z-000004",
      "snap-20200101T000000Z-000005",
      id,
    ]);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSmallDisk } from "../../../../test/helpers/small-disk.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { createCodec } from "../../codec/codec.js";
import { createCodecPool } from "../../codec/codec-pool.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { manifestHashOf } from "../dir/snapshot-manifest.js";
import { appAssets, builtModule, integrityOf, meta } from "./cas-fixtures.test-support.js";
import { openCasSnapshotStore } from "./cas-snapshot-store.js";

// Restores run frame by frame in storage order on two real worker threads, which finish tasks out
// of order and write pieces of one file at the same time: the data here (31 MB stored) spans ~15
// tasks.
let work: string;
let manifest: SnapshotManifest;
let workerUrl: URL;
const open = async (root = join(work, "cas")) =>
  openCasSnapshotStore(root, {
    objects: await openLocalPackStore(join(root, "objects")),
    codec: createCodec(),
    workers: () => createCodecPool({ workers: 2, workerUrl }),
  });

beforeAll(async () => {
  // Workers run compiled JavaScript: the built dist/ (test/global-setup.ts builds it).
  workerUrl = new URL(await builtModule("adapters/codec/codec-worker.ts"));
  work = await mkdtemp(join(tmpdir(), "shipsafe-materialize-"));
  const app = join(work, "app");
  await mkdir(join(app, "config", "same"), { recursive: true });
  // ~40 MB of compressible rows (hex text) and random blobs, so frames are compressed and raw.
  const db = new Database(join(app, "app.db"));
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, b BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO t (note, b) SELECT hex(randomblob(2000)), randomblob(3000) FROM n;`);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  // Small files, some with the same content (one chunk used twice), and an empty one.
  for (let i = 0; i < 300; i++) {
    const body =
      i % 10 === 0
        ? "shared: true\n"
        : `file: ${i}\n${randomBytes(500 + i * 37).toString("hex")}\n`;
    await writeFile(join(app, "config", i % 10 === 0 ? "same" : "", `f-${i}.yaml`), body);
  }
  await writeFile(join(app, "config", "empty.txt"), "");
  const store = await open();
  await store.create(meta, appAssets(app));
  // Rows updated all over the file: the next snapshot's pages come from both snapshots' frames.
  const again = new Database(join(app, "app.db"));
  again.exec("UPDATE t SET note = hex(randomblob(2000)) WHERE id % 37 = 0");
  again.pragma("wal_checkpoint(TRUNCATE)");
  again.close();
  manifest = await store.create(meta, appAssets(app));
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file of the manifest under `dir` matches its sha256; no temp file is left. */
async function expectRestored(dir: string): Promise<void> {
  let files = 0;
  for (const asset of manifest.assets) {
    for (const file of asset.files) {
      const bytes = await readFile(join(dir, asset.name, file.path));
      expect(createHash("sha256").update(bytes).digest("hex"), file.path).toBe(file.sha256);
      files++;
    }
  }
  expect(files).toBe(302);
  const names = (await readdir(dir, { recursive: true })).map(String);
  expect(names.filter((n) => n.includes(".tmp-"))).toEqual([]);
  expect(integrityOf(join(dir, "db", manifest.assets[0]?.files[0]?.path as string))).toBe("ok");
}

describe("materialize", () => {
  it("writes every file of a snapshot whose pages span two snapshots' frames, byte for byte", async () => {
    const dest = join(work, "restored");
    await (await open()).materialize(manifest.id, dest);
    await expectRestored(dest);
  });

  it("cuts a stale, longer temp file of the same name to size", async () => {
    const dest = join(work, "stale");
    const db = manifest.assets[0]?.files[0]?.path as string;
    await mkdir(join(dest, "db"), { recursive: true });
    await writeFile(join(dest, "db", `${db}.tmp-${process.pid}`), randomBytes(60 * 1024 * 1024));
    await (await open()).materialize(manifest.id, dest);
    await expectRestored(dest);
  });

  it("fails with DISK_FULL on a full disk and leaves no temp file", async (ctx) => {
    const disk = await mountSmallDisk(8, "shipsafe-materialize-full-");
    try {
      if (!disk.mounted) ctx.skip();
      const dest = join(disk.dir, "restore");
      await expect((await open()).materialize(manifest.id, dest)).rejects.toMatchObject({
        code: "DISK_FULL",
        message: expect.stringContaining(dest),
      });
      const left = (await readdir(disk.dir, { recursive: true })).map(String);
      expect(left.filter((n) => n.includes(".tmp-"))).toEqual([]);
    } finally {
      await disk.remove();
    }
  });

  it("checks each file of a manifest without chunk-list hashes (an older one) by its sha256", async () => {
    // A copy of the store whose manifest is rewritten as an older version wrote it.
    const root = join(work, "legacy-cas");
    await cp(join(work, "cas"), root, { recursive: true });
    const path = join(root, "snapshots", `${manifest.id}.json`);
    const rewrite = async (edit: (file: { sha256: string; chunks?: string }) => void) => {
      const old = JSON.parse(await readFile(path, "utf8")) as SnapshotManifest;
      const assets = old.assets.map((a) => ({
        ...a,
        files: a.files.map((f) => {
          const file: { path: string; size: number; sha256: string; chunks?: string } = { ...f };
          delete file.chunks;
          edit(file);
          return file;
        }),
      }));
      const { manifestHash: _, ...base } = { ...old, assets };
      await writeFile(path, JSON.stringify({ ...base, manifestHash: manifestHashOf(base) }));
    };
    await rewrite(() => undefined);
    const dest = join(work, "legacy");
    await (await open(root)).materialize(manifest.id, dest);
    await expectRestored(dest);

    // One file's recorded sha256 is not its content's: nothing is renamed into place.
    await rewrite((file) => {
      if (file.sha256 === manifest.assets[0]?.files[0]?.sha256) file.sha256 = "0".repeat(64);
    });
    const refused = join(work, "legacy-refused");
    await expect((await open(root)).materialize(manifest.id, refused)).rejects.toMatchObject({
      code: "SNAPSHOT_CORRUPT",
      message: expect.stringContaining("does not match its sha256"),
    });
    expect(
      (await readdir(refused, { recursive: true })).filter((n) => String(n).includes(".")),
    ).toEqual([]);
  });
});

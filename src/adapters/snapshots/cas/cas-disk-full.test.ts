import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSmallDisk, type SmallDisk } from "../../../../test/helpers/small-disk.js";
import { ShipsafeError } from "../../../domain/errors.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { encodeBlob } from "../../codec/blob-format.js";
import { createCodec } from "../../codec/codec.js";
import { inlineTaskRunner } from "../../codec/task-runner.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { appAssets, makeBlobDb, meta, openCas } from "./cas-fixtures.test-support.js";
import { FrameWriter } from "./frame-writer.js";

const MB = 1024 * 1024;

// The state dir on a real, small file system: a 16 MiB tmpfs (needs root; outside CI a sandbox
// that forbids mount skips). The live application's files stay on the ordinary disk.
let disk: SmallDisk;
let mountDir: string;
let mounted = false;
let work: string;
beforeAll(async () => {
  disk = await mountSmallDisk(16, "shipsafe-cas-full-");
  ({ dir: mountDir, mounted } = disk);
  work = await mkdtemp(join(tmpdir(), "shipsafe-cas-full-app-"));
});
afterAll(async () => {
  await disk.remove();
  await rm(work, { recursive: true, force: true });
});

describe("a state dir whose disk fills up during create", () => {
  const casRoot = () => join(mountDir, "state", "cas");
  const appDir = () => join(work, "app");
  let older: SnapshotManifest;

  /** What must hold after a failed create: nothing partial, the older snapshot whole. */
  const expectIntact = async (): Promise<void> => {
    const root = casRoot();
    const packs = (await readdir(join(root, "objects", "packs"), { recursive: true })).map(String);
    expect(packs.filter((f) => f.includes(".tmp-"))).toEqual([]);
    for (const file of packs.filter((f) => f.endsWith(".pack"))) {
      expect((await stat(join(root, "objects", "packs", file))).size, file).toBeGreaterThan(0);
    }
    expect(await readdir(join(root, "objects", "leases"))).toEqual([]);
    expect(await readdir(join(root, "staging"))).toEqual([]);
    expect((await readdir(join(root, "snapshots"))).filter((n) => n.includes(".tmp-"))).toEqual([]);
    const { store, objects } = await openCas(root);
    expect((await store.list()).map((s) => s.id)).toEqual([older.id]);
    expect((await store.verify(older.id)).problems).toEqual([]);
    expect((await objects.check()).ok).toBe(true);
    const reports = await store.restoreInto(older.id, appAssets(appDir()), join(work, "sandbox"));
    expect(reports.every((r) => r.ok)).toBe(true);
    await rm(join(work, "sandbox"), { recursive: true, force: true });
  };

  /** The error of a create that must fail: a ShipsafeError with a code, naming a path. */
  const failedCreate = async (assets: ReturnType<typeof appAssets>): Promise<ShipsafeError> => {
    const { store } = await openCas(casRoot());
    const error = await store.create(meta, assets).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShipsafeError);
    const failure = error as ShipsafeError;
    expect(failure.code).toMatch(/^[A-Z_]+$/);
    expect(failure.message).toContain(mountDir);
    return failure;
  };

  it("an older snapshot fits", async (ctx) => {
    if (!mounted) ctx.skip();
    await mkdir(join(appDir(), "config"), { recursive: true });
    makeBlobDb(join(appDir(), "app.db"), 120); // ~1 MB
    await writeFile(join(appDir(), "config", "app.yaml"), "name: shop\n");
    const { store } = await openCas(casRoot());
    older = await store.create(meta, appAssets(appDir()));
    expect((await store.verify(older.id)).ok).toBe(true);
  });

  it("a database too large to capture fails with a clear error and keeps nothing", async (ctx) => {
    if (!mounted) ctx.skip();
    const db = new Database(join(appDir(), "app.db"));
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
      INSERT INTO blobs (b) SELECT randomblob(8192) FROM n;`);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    const error = await failedCreate(appAssets(appDir()));
    expect(error.code).toBe("DISK_FULL");
    expect(error.kind).toBe("runtime");
    await expectIntact();
  });

  it("files whose chunks do not fit fail with DISK_FULL and keep nothing", async (ctx) => {
    if (!mounted) ctx.skip();
    // ~20 MB incompressible, read in place: its packs do not fit in the 16 MiB.
    const data = join(work, "data");
    await mkdir(data, { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(data, `part-${i}.bin`), randomBytes(MB));
    const asset = createFilesAsset({ name: "data", paths: [data], baseDir: work });
    const error = await failedCreate([asset]);
    expect(error.code).toBe("DISK_FULL");
    expect(error.message).toContain(join(casRoot(), "objects"));
    await expectIntact();
  });

  it("frames compressed on a worker that do not fit fail with DISK_FULL and keep nothing", async (ctx) => {
    if (!mounted) ctx.skip();
    const codec = createCodec();
    const objects = await openLocalPackStore(join(casRoot(), "objects"));
    const writer = await objects.writer();
    const frames = new FrameWriter(writer, inlineTaskRunner(codec));
    const error = await (async () => {
      for (let i = 0; i < 40; i++) {
        const raw = randomBytes(MB); // 40 MiB of frames for a 16 MiB disk
        await frames.addEncoded(
          [{ id: Buffer.from(codec.hashOf(raw), "hex"), within: 0 }],
          encodeBlob(codec, raw),
        );
      }
      await frames.flush();
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    await writer.abort();
    expect(error).toMatchObject({ code: "DISK_FULL" });
    await expectIntact();
  });

  it("once space is free again, a snapshot fits and verifies", async (ctx) => {
    if (!mounted) ctx.skip();
    await rm(join(appDir(), "app.db"), { force: true });
    await rm(join(appDir(), "app.db-wal"), { force: true });
    await rm(join(appDir(), "app.db-shm"), { force: true });
    makeBlobDb(join(appDir(), "app.db"), 200);
    const { store } = await openCas(casRoot());
    const fresh = await store.create(meta, appAssets(appDir()));
    expect((await store.verify(fresh.id)).ok).toBe(true);
    expect((await store.verify(older.id)).ok).toBe(true);
  });
});

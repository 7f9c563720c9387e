import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { builtModule } from "../../../../test/helpers/built-module.js";
import type { ObjectStore } from "../../../ports/object-store.js";
import { createCodec } from "../../codec/codec.js";
import { createCodecPool } from "../../codec/codec-pool.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { createSqliteAsset } from "../../state/sqlite/sqlite-asset.js";
import { encodeAssetList, readAssetList } from "./cas-documents.js";
import { openCasSnapshotStore } from "./cas-snapshot-store.js";
import { ChunkList } from "./chunk-list.js";

describe.each([
  ["on this thread", false],
  ["on a worker pool", true],
])(
  "content-addressed snapshot store (real SQLite, real pack store), codec work %s",
  (_, usePool) => {
    let workers: (() => TaskRunner) | undefined;
    beforeAll(async () => {
      if (!usePool) return;
      // Workers run compiled JavaScript: the built dist/ (test/global-setup.ts builds it).
      const workerUrl = new URL(await builtModule("adapters/codec/codec-worker.ts"));
      workers = () => createCodecPool({ workers: 2, workerUrl, maxInFlightBytes: 4 * 1024 * 1024 });
    });
    let work: string;
    let objects: ObjectStore;
    const meta = { env: "production", service: "shop", reason: "test" };

    beforeEach(async () => {
      work = await mkdtemp(join(tmpdir(), "shipsafe-cas-"));
      await mkdir(join(work, "app", "config"), { recursive: true });
      const db = new Database(join(work, "app", "orders.db"));
      db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, note TEXT)");
      const insert = db.prepare("INSERT INTO orders (item, note) VALUES (?, ?)");
      db.transaction(() => {
        for (let i = 0; i < 20_000; i++)
          insert.run(`item-${i}`, `note ${i} ${"x".repeat(i % 200)}`);
      })();
      db.close();
      for (let i = 0; i < 30; i++) {
        await writeFile(
          join(work, "app", "config", `c${i}.yaml`),
          `name: c${i}\nvalue: ${"v".repeat(i * 50)}\n`,
        );
      }
      objects = await openLocalPackStore(join(work, "cas", "objects"));
    });
    afterEach(() => rm(work, { recursive: true, force: true }));

    const codec = createCodec();
    const open = () => openCasSnapshotStore(join(work, "cas"), { objects, codec, workers });
    const assets = () => [
      createSqliteAsset({ name: "orders", path: join(work, "app", "orders.db") }),
      createFilesAsset({
        name: "config",
        paths: [join(work, "app", "config")],
        baseDir: join(work, "app"),
      }),
    ];
    const rows = (): number => {
      const db = new Database(join(work, "app", "orders.db"), { readonly: true });
      try {
        return db.prepare("SELECT count(*) FROM orders").pluck().get() as number;
      } finally {
        db.close();
      }
    };

    it("snapshots, verifies and restores; an unchanged second snapshot stores nothing new", async () => {
      const store = await open();
      const first = await store.create(meta, assets());
      expect((await store.verify(first.id)).ok).toBe(true);
      const afterFirst = await objects.stats();
      const second = await store.create(meta, assets());
      const afterSecond = await objects.stats();
      expect(afterSecond.blobs).toBe(afterFirst.blobs);
      expect((await store.list()).map((s) => s.id)).toEqual([second.id, first.id]);

      const db = new Database(join(work, "app", "orders.db"));
      db.exec("DELETE FROM orders WHERE id > 100");
      db.close();
      await writeFile(join(work, "app", "config", "c1.yaml"), "changed\n");
      await store.restore(first.id, assets());
      expect(rows()).toBe(20_000);
      expect(await readFile(join(work, "app", "config", "c1.yaml"), "utf8")).toMatch(/^name: c1/);
    });

    it("after updating 1% of rows, only the changed pages are stored again", async () => {
      const store = await open();
      await store.create(meta, assets());
      const before = await objects.stats();
      const db = new Database(join(work, "app", "orders.db"));
      db.exec("UPDATE orders SET item = 'upd' WHERE id % 100 = 0");
      db.close();
      await store.create(meta, assets());
      const after = await objects.stats();
      const dbPages = Math.ceil((await readFile(join(work, "app", "orders.db"))).length / 4096);
      const newBlobs = after.blobs - before.blobs;
      expect(newBlobs).toBeGreaterThan(0);
      expect(newBlobs).toBeLessThan(dbPages * 0.5);
    });

    it("a flipped bit in a pack fails verify naming the chunk, and restore refuses without touching anything", async () => {
      const store = await open();
      const snapshot = await store.create(meta, assets());
      const packsDir = join(work, "cas", "objects", "packs");
      const sub = (await readdir(packsDir)).find((n) => !n.startsWith("."));
      const packName = (await readdir(join(packsDir, sub as string)))[0] as string;
      const pack = join(packsDir, sub as string, packName);
      const bytes = await readFile(pack);
      bytes[100] = (bytes[100] ?? 0) ^ 0x01;
      await writeFile(pack, bytes);
      const fresh = await openCasSnapshotStore(join(work, "cas"), {
        objects: await openLocalPackStore(join(work, "cas", "objects")),
        codec,
        workers,
      });
      const result = await fresh.verify(snapshot.id);
      expect(result.ok).toBe(false);
      expect(result.problems.join(" ")).toMatch(/[0-9a-f]{64}|BLOB_CORRUPT|corrupt/i);
      const before = rows();
      await expect(fresh.restore(snapshot.id, assets())).rejects.toBeTruthy();
      expect(rows()).toBe(before);
    });

    it("an edited manifest is caught by the manifest hash", async () => {
      const store = await open();
      const snapshot = await store.create(meta, assets());
      const file = join(work, "cas", "snapshots", `${snapshot.id}.json`);
      const doc = JSON.parse(await readFile(file, "utf8"));
      doc.reason = "edited";
      await writeFile(file, JSON.stringify(doc));
      const result = await store.verify(snapshot.id);
      expect(result.ok).toBe(false);
      expect(result.problems.join(" ")).toMatch(/manifest hash/);
    });

    it("an edited chunk list (two valid chunks swapped) fails verify, and materialize refuses", async () => {
      const store = await open();
      const snapshot = await store.create(meta, assets());
      // Rewritten consistently: a new list under its own hash, and the index pointing at it.
      const snapshots = join(work, "cas", "snapshots");
      const index = JSON.parse(await readFile(join(snapshots, `${snapshot.id}.chunks`), "utf8"));
      const files = await readAssetList(snapshots, index.assets.orders);
      const list = files["orders.sqlite"] as ChunkList;
      const refs = Array.from({ length: list.count }, (_, i) => [list.idHex(i), list.length(i)]);
      [refs[1], refs[2]] = [refs[2] as [string, number], refs[1] as [string, number]];
      files["orders.sqlite"] = ChunkList.from(refs as [string, number][]);
      const bytes = encodeAssetList(files);
      index.assets.orders = createHash("sha256").update(bytes).digest("hex");
      await writeFile(join(snapshots, "lists", `${index.assets.orders}.bin`), bytes);
      await writeFile(join(snapshots, `${snapshot.id}.chunks`), JSON.stringify(index));
      const result = await store.verify(snapshot.id);
      expect(result.ok).toBe(false);
      expect(result.problems.join(" ")).toMatch(/chunk list that does not match its manifest/);
      await expect(store.materialize(snapshot.id, join(work, "out"))).rejects.toMatchObject({
        code: "SNAPSHOT_CORRUPT",
      });
      expect(await readdir(join(work, "out", "orders")).catch(() => [])).toEqual([]);
    });

    it("materialize + adopt move a snapshot between stores intact; remove + prune free its blobs", async () => {
      const store = await open();
      const snapshot = await store.create(meta, assets());
      const out = join(work, "materialized");
      await store.materialize(snapshot.id, out);
      const otherObjects = await openLocalPackStore(join(work, "cas2", "objects"));
      const other = await openCasSnapshotStore(join(work, "cas2"), {
        objects: otherObjects,
        codec,
        workers,
      });
      const adopted = await other.adopt(snapshot, out);
      expect(adopted.manifestHash).toBe(snapshot.manifestHash);
      expect((await other.verify(snapshot.id)).ok).toBe(true);

      await store.remove(snapshot.id);
      expect(await store.list()).toEqual([]);
      const pruned = await objects.prune(await store.liveChunks());
      expect(pruned.bytesFreed).toBeGreaterThan(0);
      expect((await objects.stats()).blobs).toBe(0);
    });

    const settle = () => new Promise((r) => setTimeout(r, 2_100));

    it("reuses an asset whose fingerprint did not change, and captures it again after a write", async () => {
      const store = await open();
      const events: string[] = [];
      const progress = {
        report(e: { type: string; step?: string; status?: string }) {
          if (e.type === "step-finished") events.push(`${e.step}:${e.status}`);
        },
      };
      // Files changed in the last 2 s get no fingerprint (their times are too coarse to trust).
      await settle();
      const first = await store.create(meta, assets(), progress);
      events.length = 0;
      const second = await store.create(meta, assets(), progress);
      expect(events).toContain("snapshot orders:skipped");
      expect(events).toContain("snapshot config:skipped");
      expect(second.assets).toEqual(first.assets);
      expect((await store.verify(second.id)).ok).toBe(true);

      const db = new Database(join(work, "app", "orders.db"));
      db.exec("INSERT INTO orders (item, note) VALUES ('new', 'row')");
      db.close();
      events.length = 0;
      // Freshly written: captured again at once, whatever the clock's granularity.
      const third = await store.create(meta, assets(), progress);
      expect(events).toContain("snapshot orders:succeeded");
      expect(events).toContain("snapshot config:skipped");
      expect(third.assets[0]?.details.tables).toMatchObject({ orders: 20_001 });
      // Restoring the second (reused) snapshot brings back its rows.
      await store.restore(second.id, assets());
      expect(rows()).toBe(20_000);
    }, 30_000);
  },
);

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { meta, openCas } from "./cas-fixtures.test-support.js";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-cas-dedup-"));
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe("deduplication within one snapshot", () => {
  it("stores a chunk that occurs in several files once, and each file restores whole", async () => {
    const app = join(work, "app");
    await mkdir(join(app, "config"), { recursive: true });
    const same = randomBytes(300 * 1024); // several content-defined chunks, stored once
    for (const name of ["a.bin", "b.bin", "c.bin"])
      await writeFile(join(app, "config", name), same);
    const asset = createFilesAsset({ name: "config", paths: [join(app, "config")], baseDir: app });

    const single = await openCas(join(work, "one"));
    await rm(join(app, "config", "b.bin"));
    await rm(join(app, "config", "c.bin"));
    await single.store.create(meta, [asset]);
    const once = await single.objects.stats();

    for (const name of ["b.bin", "c.bin"]) await writeFile(join(app, "config", name), same);
    const triple = await openCas(join(work, "three"));
    const snapshot = await triple.store.create(meta, [asset]);
    const thrice = await triple.objects.stats();
    expect(thrice.blobs).toBe(once.blobs);
    expect(thrice.bytes).toBeLessThan(once.bytes * 1.1);
    expect((await triple.store.verify(snapshot.id)).ok).toBe(true);
    await triple.store.materialize(snapshot.id, join(work, "out"));
    const { readFile } = await import("node:fs/promises");
    for (const name of ["a.bin", "b.bin", "c.bin"]) {
      expect((await readFile(join(work, "out", "config", "config", name))).equals(same)).toBe(true);
    }
  });
});

describe("reuse of an unchanged SQLite database", () => {
  it("still holds after the capture's own connection recreated its empty -wal", async () => {
    const { default: Database } = await import("better-sqlite3");
    const { existsSync } = await import("node:fs");
    const { createSqliteAsset } = await import("../../state/sqlite/sqlite-asset.js");
    const path = join(work, "app.db");
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);");
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close(); // the last connection removes the -wal
    expect(existsSync(`${path}-wal`)).toBe(false);
    const { store } = await openCas(join(work, "cas"));
    const asset = createSqliteAsset({ name: "db", path });
    const steps: string[] = [];
    const progress = {
      report(e: { type: string; step?: string; status?: string }) {
        if (e.type === "step-finished") steps.push(`${e.step}:${e.status}`);
      },
    };
    await store.create(meta, [asset], progress);
    expect(existsSync(`${path}-wal`)).toBe(true); // recreated (empty) by the capture
    steps.length = 0;
    await store.create(meta, [asset], progress);
    expect(steps).toContain("snapshot db:skipped");
  });
});

describe("frames compressed ahead on a worker (a large new file)", () => {
  it("stores the chunks an earlier snapshot has once, not again inside a new frame", async () => {
    const { readFile } = await import("node:fs/promises");
    const app = join(work, "app");
    await mkdir(join(app, "data"), { recursive: true });
    const file = join(app, "data", "big.bin");
    const old = randomBytes(4 * 1024 * 1024);
    await writeFile(file, old);
    const asset = createFilesAsset({ name: "data", paths: [join(app, "data")], baseDir: app });
    const { store, objects } = await openCas(join(work, "cas"));
    await store.create(meta, [asset]);
    const before = await objects.stats();

    // 40 MiB of new bytes first, so the blocks after them are framed and compressed ahead (their
    // chunks looked new); then the old 4 MiB, whose chunks are stored already; then 4 MiB more.
    const fresh = [randomBytes(40 * 1024 * 1024), randomBytes(4 * 1024 * 1024)];
    const content = Buffer.concat([fresh[0] as Buffer, old, fresh[1] as Buffer]);
    await writeFile(file, content);
    const snapshot = await store.create(meta, [asset]);
    const added = (await objects.stats()).bytes - before.bytes;

    const newBytes = 44 * 1024 * 1024;
    // Random bytes do not compress: what was added is the new bytes, plus at most the two chunks
    // around each seam (256 KiB each at most) and frame headers; not the old 4 MiB again.
    expect(added).toBeGreaterThanOrEqual(newBytes);
    expect(added).toBeLessThan(newBytes + 1024 * 1024 + 64 * 1024);
    expect((await store.verify(snapshot.id)).ok).toBe(true);
    await store.materialize(snapshot.id, join(work, "out"));
    expect((await readFile(join(work, "out", "data", "data", "big.bin"))).equals(content)).toBe(
      true,
    );
  });
});

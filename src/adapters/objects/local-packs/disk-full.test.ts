import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSmallDisk, type SmallDisk } from "../../../../test/helpers/small-disk.js";
import { openLocalPackStore } from "./local-pack-store.js";
import { randomBlob } from "./test-blobs.test-support.js";

// A real full disk: a 4 MiB tmpfs (needs root; outside CI a sandbox that forbids mount skips).
let disk: SmallDisk;
let mountDir: string;
let mounted = false;
beforeAll(async () => {
  disk = await mountSmallDisk(4, "shipsafe-full-");
  ({ dir: mountDir, mounted } = disk);
});
afterAll(() => disk.remove());

describe("a disk that fills up", () => {
  it("fails with DISK_FULL naming the path, keeps nothing partial, older blobs intact", async (ctx) => {
    if (!mounted) ctx.skip();
    const dir = join(mountDir, "objects");
    const store = await openLocalPackStore(dir);
    const first = Array.from({ length: 10 }, () => randomBlob(100_000));
    const w1 = await store.writer();
    for (const blob of first) await w1.add(blob.id, blob.data);
    await w1.commit();

    const w2 = await store.writer({ packSize: 512 * 1024 });
    let error: unknown;
    try {
      for (let i = 0; i < 100; i++) {
        const blob = randomBlob(100_000);
        await w2.add(blob.id, blob.data);
      }
      await w2.commit();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "DISK_FULL", kind: "runtime" });
    expect((error as Error).message).toContain(join(dir, "packs"));
    await w2.abort(); // already cleaned up; idempotent

    const files = await readdir(join(dir, "packs"), { recursive: true });
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith(".pack"))) {
      expect((await stat(join(dir, "packs", file))).size).toBeGreaterThan(0);
    }
    expect(await readdir(join(dir, "leases"))).toEqual([]);
    const reopened = await openLocalPackStore(dir);
    expect(await reopened.check()).toMatchObject({ ok: true, blobs: first.length });
    for (const blob of first) {
      expect(Buffer.from((await reopened.get(blob.id)).data).equals(blob.data)).toBe(true);
    }
    // The space is free again: a small snapshot fits.
    const w3 = await reopened.writer();
    const small = randomBlob(1000);
    await w3.add(small.id, small.data);
    await w3.commit();
    expect(await reopened.has(small.id)).toBe(true);
  });
});

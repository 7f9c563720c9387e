import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalPackStore } from "./local-pack-store.js";
import { randomBlob, type TestBlob } from "./test-blobs.test-support.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-prune-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(store: Awaited<ReturnType<typeof openLocalPackStore>>, blobs: TestBlob[]) {
  const writer = await store.writer({ packSize: 64 * 1024 });
  for (const blob of blobs) await writer.add(blob.id, blob.data);
  return writer.commit();
}

async function packFiles(): Promise<string[]> {
  return (await readdir(join(dir, "packs"), { recursive: true })).filter((f) =>
    f.endsWith(".pack"),
  );
}

describe("prune", () => {
  it("keeps live blobs readable, deletes and rewrites garbage packs, frees bytes", async () => {
    const store = await openLocalPackStore(dir, { packSize: 64 * 1024 });
    const old = Array.from({ length: 100 }, () => randomBlob(4000)); // ~7 packs
    const recent = Array.from({ length: 40 }, () => randomBlob(4000));
    await write(store, old);
    await write(store, recent);
    const before = await store.stats();
    // Every 5th old blob stays live: its packs are mostly garbage and get rewritten.
    const live = new Set([...old.filter((_, i) => i % 5 === 0), ...recent].map((b) => b.id));
    const result = await store.prune(live);
    expect(result.packsRewritten).toBeGreaterThan(0);
    expect(result.bytesFreed).toBeGreaterThan(0);
    const after = await store.stats();
    expect(before.bytes - after.bytes).toBe(result.bytesFreed);
    expect(after.blobs).toBe(live.size);

    const reopened = await openLocalPackStore(dir);
    for (const blob of [...old, ...recent]) {
      if (live.has(blob.id)) {
        expect(Buffer.from((await reopened.get(blob.id)).data).equals(blob.data)).toBe(true);
      } else {
        expect(await reopened.has(blob.id)).toBe(false);
      }
    }
    expect((await reopened.check()).ok).toBe(true);
    expect(await readdir(join(dir, "index"))).toHaveLength(1);

    // Nothing live left in the rest: everything goes.
    const all = await reopened.prune(new Set());
    expect(all.packsDeleted).toBe(after.packs);
    expect(await packFiles()).toEqual([]);
    expect(await reopened.stats()).toEqual({ packs: 0, blobs: 0, bytes: 0 });
  });

  it("lets a store that opened before the prune read the moved blobs", async () => {
    const store = await openLocalPackStore(dir, { packSize: 64 * 1024 });
    const blobs = Array.from({ length: 60 }, () => randomBlob(4000));
    await write(store, blobs);
    const before = await openLocalPackStore(dir);
    const survivor = blobs[10] as TestBlob;
    await store.prune(new Set([survivor.id]));
    expect(Buffer.from((await before.get(survivor.id)).data).equals(survivor.data)).toBe(true);
  });

  it("never lets a writer dedupe against a blob pruned before its lease, index read or not", async () => {
    const store = await openLocalPackStore(dir, { packSize: 64 * 1024 });
    const [gone, kept] = [randomBlob(4000), randomBlob(4000)] as [TestBlob, TestBlob];
    await write(store, [gone]); // a pack of its own: deleted whole by the prune
    await write(store, [kept]);
    const early = await openLocalPackStore(dir);
    expect(await early.has(gone.id)).toBe(true); // its index is read now, before the prune
    const late = await openLocalPackStore(dir); // its index is not read yet
    await store.prune(new Set([kept.id]));
    const writers = [await early.writer(), await late.writer()];
    for (const reader of [early, late]) {
      expect(await reader.has(gone.id)).toBe(false);
      expect(await reader.has(kept.id)).toBe(true);
    }
    for (const writer of writers) {
      expect(await writer.add(gone.id, gone.data)).toBe(true); // stored again, not deduplicated
      expect(await writer.add(kept.id, kept.data)).toBe(false);
      await writer.commit();
    }
    const reopened = await openLocalPackStore(dir);
    expect(Buffer.from((await reopened.get(gone.id)).data).equals(gone.data)).toBe(true);
  });

  it("refuses while a writer holds a lease, and proceeds when its process is dead", async () => {
    const store = await openLocalPackStore(dir);
    const blob = randomBlob(1000);
    const writer = await store.writer();
    await writer.add(blob.id, blob.data);
    await expect(store.prune(new Set())).rejects.toMatchObject({
      code: "OBJECT_STORE_BUSY",
      kind: "refused",
    });
    await writer.commit();
    // A deduplicating writer protects what it deduplicated against, too.
    const dedup = await store.writer();
    expect(await dedup.add(blob.id, blob.data)).toBe(false);
    await expect(store.prune(new Set())).rejects.toMatchObject({ code: "OBJECT_STORE_BUSY" });
    await dedup.commit();

    // A lease left by a killed process on this host is stale; another host's young lease is not.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    const { hostname } = await import("node:os");
    await writeFile(
      join(dir, "leases", `${dead}-x`),
      `${dead}\n${hostname()}\n2020-01-01T00:00:00Z\n`,
    );
    await writeFile(join(dir, "leases", "1-y"), `1\nother-host\n${new Date().toISOString()}\n`);
    await expect(store.prune(new Set())).rejects.toMatchObject({ code: "OBJECT_STORE_BUSY" });
    expect(await readdir(join(dir, "leases"))).toEqual(["1-y"]);
    await rm(join(dir, "leases", "1-y"));
    expect((await store.prune(new Set())).packsDeleted).toBe(1);
  });

  it("makes a new writer wait while a prune holds the lock", async () => {
    const store = await openLocalPackStore(dir, { lockWaitMs: 300 });
    const { hostname } = await import("node:os");
    await writeFile(join(dir, "lock"), `${process.pid}\n${hostname()}\nnow\n`);
    await expect(store.writer()).rejects.toMatchObject({ code: "OBJECT_STORE_BUSY" });
    expect(await readdir(join(dir, "leases"))).toEqual([]);
    await rm(join(dir, "lock"));
    await (await store.writer()).abort();
  });

  it("removes packs and temp files left unindexed by a killed writer", async () => {
    const store = await openLocalPackStore(dir);
    const live = randomBlob(2000);
    await write(store, [live]);
    await writeFile(join(dir, "packs", ".tmp-deadbeef"), "partial");
    await writeFile(join(dir, "packs", `${"ab".repeat(32)}.pack`), "unindexed");
    const result = await store.prune(new Set([live.id]));
    expect(result.packsDeleted).toBe(1);
    expect(result.bytesFreed).toBe("partial".length + "unindexed".length);
    expect(await packFiles()).toHaveLength(1);
    expect(Buffer.from((await store.get(live.id)).data).equals(live.data)).toBe(true);
  });
});

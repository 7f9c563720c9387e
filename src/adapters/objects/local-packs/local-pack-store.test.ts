import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isShipsafeError } from "../../../domain/errors.js";
import { indexFileName } from "./index-format.js";
import { openLocalPackStore } from "./local-pack-store.js";
import { packPath } from "./pack-builder.js";
import { trailerStart } from "./pack-format.js";
import { blobOf, randomBlob, type TestBlob } from "./test-blobs.test-support.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-packs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    // Blobs' data is copied: the reader reuses its buffers once the next blob is asked for.
    const blob = item as { data?: unknown };
    out.push(
      blob.data instanceof Uint8Array ? { ...item, data: Uint8Array.from(blob.data) } : item,
    );
  }
  return out;
}

describe("local pack store", () => {
  it("round-trips many blobs across several packs, deduplicating", async () => {
    const store = await openLocalPackStore(dir);
    const blobs = Array.from({ length: 600 }, (_, i) => randomBlob(1 + ((i * 977) % 9000)));
    const writer = await store.writer({ packSize: 256 * 1024 });
    for (const blob of blobs) expect(await writer.add(blob.id, blob.data)).toBe(true);
    expect(await writer.add((blobs[3] as { id: string }).id, Buffer.from("ignored"))).toBe(false);
    const result = await writer.commit();
    expect(result.blobs).toBe(600);
    expect(result.packs).toBeGreaterThan(5);
    expect(result.bytes).toBe(blobs.reduce((sum, b) => sum + b.data.length, 0));

    const again = await store.writer();
    expect(await again.add((blobs[0] as { id: string }).id, Buffer.from("x"))).toBe(false);
    expect(await again.commit()).toEqual({ blobs: 0, bytes: 0, packs: 0 });

    const reopened = await openLocalPackStore(dir);
    for (const blob of blobs.slice(0, 20)) {
      expect(Buffer.from((await reopened.get(blob.id)).data).equals(blob.data)).toBe(true);
    }
    // Requested order (shuffled, with a repeat) is the order yielded.
    const order = [...blobs].reverse().concat([blobs[7] as (typeof blobs)[0]]);
    const read = await collect(reopened.getMany(order.map((b) => b.id)));
    expect(read.map((r) => r.id)).toEqual(order.map((b) => b.id));
    read.forEach((r, i) => {
      expect(Buffer.from(r.data).equals((order[i] as (typeof blobs)[0]).data)).toBe(true);
    });
    expect((await collect(reopened.ids())).sort()).toEqual(blobs.map((b) => b.id).sort());
    // lacking: one flag per binary id, 1 for the ids no committed blob has.
    const unknown = [randomBlob(10), randomBlob(20)];
    const asked = [blobs[5], unknown[0], blobs[599], unknown[1]] as TestBlob[];
    const ids = Buffer.concat(asked.map((b) => Buffer.from(b.id, "hex")));
    expect([...(await reopened.lacking(ids))]).toEqual([0, 1, 0, 1]);
    await expect(reopened.lacking(ids.subarray(1))).rejects.toThrow(/multiple of 32 bytes/);
    const stats = await reopened.stats();
    expect(stats).toMatchObject({ packs: result.packs, blobs: 600 });
    expect(stats.bytes).toBeGreaterThan(result.bytes);
    expect(await reopened.check()).toEqual({ ok: true, packs: result.packs, blobs: 600, bad: [] });
  });

  it("shows only committed blobs: aborted and unfinished writers leave nothing visible", async () => {
    const store = await openLocalPackStore(dir);
    const [kept, aborted, open] = [randomBlob(5000), randomBlob(5000), randomBlob(5000)];
    const w1 = await store.writer();
    await w1.add(kept.id, kept.data);
    await w1.commit();
    const w2 = await store.writer({ packSize: 4096 });
    await w2.add(aborted.id, aborted.data);
    await w2.add(randomBlob(6000).id, randomBlob(6000).data); // a finished pack, then abort
    await w2.abort();
    const w3 = await store.writer();
    await w3.add(open.id, open.data);

    const reopened = await openLocalPackStore(dir);
    expect(await collect(reopened.ids())).toEqual([kept.id]);
    expect(await reopened.has(aborted.id)).toBe(false);
    await expect(reopened.get(open.id)).rejects.toMatchObject({ code: "BLOB_MISSING" });
    const packFiles = (await readdir(join(dir, "packs"), { recursive: true })).filter((f) =>
      f.endsWith(".pack"),
    );
    expect(packFiles).toHaveLength(1); // abort removed its finished pack too
    await w3.abort();
    expect((await readdir(join(dir, "packs"))).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });

  it("names the blob and pack when one bit flips, in get, getMany and check", async () => {
    const store = await openLocalPackStore(dir);
    const blobs = Array.from({ length: 50 }, () => randomBlob(4096));
    const writer = await store.writer();
    for (const blob of blobs) await writer.add(blob.id, blob.data);
    await writer.commit();
    const victim = blobs[17] as (typeof blobs)[0];
    const [packDir] = (await readdir(join(dir, "packs"))).filter((n) => !n.startsWith("."));
    const [packFile] = await readdir(join(dir, "packs", packDir as string));
    const pack = (packFile as string).slice(0, -5);
    const path = packPath(join(dir, "packs"), pack);
    const bytes = await readFile(path);
    bytes[17 * 4096 + 1234] = (bytes[17 * 4096 + 1234] as number) ^ 0x10;
    await writeFile(path, bytes);

    const reopened = await openLocalPackStore(dir);
    const error = await reopened.get(victim.id).catch((e: unknown) => e);
    expect(isShipsafeError(error)).toBe(true);
    expect(error).toMatchObject({ code: "BLOB_CORRUPT", kind: "runtime" });
    expect((error as Error).message).toContain(victim.id);
    expect((error as Error).message).toContain(pack);
    await expect(collect(reopened.getMany(blobs.map((b) => b.id)))).rejects.toMatchObject({
      code: "BLOB_CORRUPT",
    });
    expect((await reopened.get((blobs[16] as typeof victim).id)).data.length).toBe(4096);
    expect(await reopened.check()).toEqual({
      ok: false,
      packs: 1,
      blobs: 50,
      bad: [{ id: victim.id, pack, problem: "CRC-32 mismatch" }],
    });
  });

  it("reports a damaged trailer and a missing pack in check", async () => {
    const store = await openLocalPackStore(dir);
    const blob = randomBlob(1000);
    const writer = await store.writer();
    await writer.add(blob.id, blob.data);
    await writer.commit();
    const [packDir] = (await readdir(join(dir, "packs"))).filter((n) => !n.startsWith("."));
    const [packFile] = await readdir(join(dir, "packs", packDir as string));
    const path = join(dir, "packs", packDir as string, packFile as string);
    const bytes = await readFile(path);
    bytes[bytes.length - 40] = (bytes[bytes.length - 40] as number) ^ 1;
    await writeFile(path, bytes);
    const pack = (packFile as string).slice(0, -5);
    expect((await store.check()).bad).toEqual([
      { id: "", pack, problem: "pack bytes do not match its name (trailer damaged)" },
    ]);
    await rm(path);
    expect((await store.check()).bad).toEqual([
      { id: blob.id, pack, problem: "pack file missing" },
    ]);
    await expect(store.get(blob.id)).rejects.toMatchObject({ code: "BLOB_MISSING" });
  });

  it("names a pack by its trailer's sha256, and check accepts a pack named by the whole file's", async () => {
    const store = await openLocalPackStore(dir);
    const blobs = Array.from({ length: 3 }, (_, i) => randomBlob(2000 + i));
    const writer = await store.writer();
    for (const blob of blobs) await writer.add(blob.id, blob.data);
    await writer.commit();
    const [packDir] = (await readdir(join(dir, "packs"))).filter((n) => !n.startsWith("."));
    const [packFile] = await readdir(join(dir, "packs", packDir as string));
    const bytes = await readFile(join(dir, "packs", packDir as string, packFile as string));
    const start = trailerStart(bytes) as number;
    expect(start).toBe(blobs.reduce((sum, b) => sum + b.data.length, 0));
    const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(packFile).toBe(`${sha256(bytes.subarray(start))}.pack`);

    // A store written by an earlier version: the same pack under the whole file's sha256.
    const old = sha256(bytes);
    const index = await readFile(
      join(dir, "index", (await readdir(join(dir, "index")))[0] as string),
    );
    const legacy = await mkdtemp(join(tmpdir(), "shipsafe-packs-legacy-"));
    try {
      await mkdir(join(legacy, "packs", old.slice(0, 2)), { recursive: true });
      await writeFile(packPath(join(legacy, "packs"), old), bytes);
      const renamed = Buffer.from(index);
      const at = renamed.indexOf(Buffer.from((packFile as string).slice(0, -5), "hex"));
      expect(at).toBeGreaterThan(0);
      renamed.set(Buffer.from(old, "hex"), at);
      await mkdir(join(legacy, "index"));
      await writeFile(join(legacy, "index", indexFileName(renamed)), renamed);
      const reopened = await openLocalPackStore(legacy);
      expect(await reopened.check()).toEqual({ ok: true, packs: 1, blobs: 3, bad: [] });
      expect(
        Buffer.from((await reopened.get((blobs[1] as TestBlob).id)).data).equals(
          (blobs[1] as TestBlob).data,
        ),
      ).toBe(true);
    } finally {
      await rm(legacy, { recursive: true, force: true });
    }
  });

  it("rejects a damaged index file with a clear error when a call first needs the index", async () => {
    const store = await openLocalPackStore(dir);
    const writer = await store.writer();
    const blob = randomBlob(100);
    await writer.add(blob.id, blob.data);
    await writer.commit();
    const [name] = await readdir(join(dir, "index"));
    const path = join(dir, "index", name as string);
    const bytes = await readFile(path);
    bytes[20] = (bytes[20] as number) ^ 1;
    await writeFile(path, bytes);
    // Opening reads no index (a snapshot of unchanged assets never needs it); every use does.
    const reopened = await openLocalPackStore(dir);
    const corrupt = { code: "OBJECT_INDEX_CORRUPT" };
    await expect(reopened.has(blob.id)).rejects.toMatchObject(corrupt);
    await expect(reopened.get(blob.id)).rejects.toMatchObject(corrupt);
    await expect(reopened.stats()).rejects.toMatchObject(corrupt);
    const next = await reopened.writer(); // holds its lease; reads the index when first adding
    await expect(next.add(blob.id, blob.data)).rejects.toMatchObject(corrupt);
    await next.abort();
    expect(await readdir(join(dir, "leases"))).toEqual([]);
  });

  it("sees blobs another store instance committed after it opened", async () => {
    const reader = await openLocalPackStore(dir);
    const writerStore = await openLocalPackStore(dir);
    const blob = randomBlob(3000);
    const writer = await writerStore.writer();
    await writer.add(blob.id, blob.data);
    await writer.commit();
    expect(Buffer.from((await reader.get(blob.id)).data).equals(blob.data)).toBe(true);
  });

  it("round-trips random blob sets (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { maxLength: 40 }),
        fc.integer({ min: 4096, max: 20_000 }),
        async (arrays, packSize) => {
          const sub = await mkdtemp(join(dir, "prop-"));
          const store = await openLocalPackStore(sub);
          const writer = await store.writer({ packSize });
          const expected = new Map<string, Buffer>();
          for (const array of arrays) {
            const blob = blobOf(Buffer.from(array));
            expect(await writer.add(blob.id, blob.data)).toBe(!expected.has(blob.id));
            expected.set(blob.id, blob.data);
          }
          await writer.commit();
          const reopened = await openLocalPackStore(sub);
          const ids = [...expected.keys()];
          const read = await collect(reopened.getMany(ids));
          expect(read.map((r) => r.id)).toEqual(ids);
          for (const r of read)
            expect(Buffer.from(r.data).equals(expected.get(r.id) as Buffer)).toBe(true);
          expect((await reopened.check()).ok).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});

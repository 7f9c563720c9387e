import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredBlob } from "../../../ports/object-store.js";
import { openLocalPackStore } from "./local-pack-store.js";
import { packPath } from "./pack-builder.js";
import { randomBlob, type TestBlob } from "./test-blobs.test-support.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-frames-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Blobs with their data copied (the reader reuses its buffers), one copy per shared frame. */
async function collect(items: AsyncIterable<StoredBlob>): Promise<StoredBlob[]> {
  const out: StoredBlob[] = [];
  const copies = new Map<Uint8Array, Uint8Array>();
  for await (const item of items) {
    const data = copies.get(item.data) ?? Uint8Array.from(item.data);
    copies.set(item.data, data);
    out.push({ ...item, data });
  }
  return out;
}

/** Members' bytes back to back (the "frame" here is stored as is: the store never decodes). */
function frameOf(members: readonly TestBlob[]): { data: Buffer; withins: number[] } {
  const withins: number[] = [];
  let at = 0;
  for (const m of members) {
    withins.push(at);
    at += m.data.length;
  }
  return { data: Buffer.concat(members.map((m) => m.data)), withins };
}

describe("frames in the local pack store", () => {
  it("stores a frame once, locates each member in it, and skips members already stored", async () => {
    const store = await openLocalPackStore(dir);
    const members = Array.from({ length: 5 }, () => randomBlob(3000));
    const { data, withins } = frameOf(members);
    const writer = await store.writer();
    const single = members[2] as TestBlob;
    expect(await writer.add(single.id, single.data)).toBe(true);
    const added = await writer.addFrame(
      members.map((m, i) => ({ id: m.id, within: withins[i] as number })),
      data,
    );
    expect(added).toBe(4);
    expect(await writer.addFrame([{ id: single.id, within: 0 }], single.data)).toBe(0);
    // An id in binary is the same id.
    const binary = Buffer.from((members[4] as TestBlob).id, "hex");
    expect(writer.has(binary)).toBe(true);
    expect(await writer.addFrame([{ id: binary, within: 0 }], single.data)).toBe(0);
    expect(() => writer.has(binary.subarray(1))).toThrow(/32 bytes/);
    const result = await writer.commit();
    expect(result).toEqual({ blobs: 5, bytes: single.data.length + data.length, packs: 1 });

    const reopened = await openLocalPackStore(dir);
    const read = await collect(reopened.getMany(members.map((m) => m.id)));
    expect(read.map((r) => r.within)).toEqual([0, 3000, 0, 9000, 12000]);
    // One view for the members of one frame read together: decoded once by the caller.
    expect(read[0]?.data).toBe(read[1]?.data);
    expect(read[0]?.data).toBe(read[4]?.data);
    expect(Buffer.from(read[0]?.data as Uint8Array).equals(data)).toBe(true);
    expect(Buffer.from(read[2]?.data as Uint8Array).equals(single.data)).toBe(true);
    const one = await reopened.get((members[3] as TestBlob).id);
    expect(one.within).toBe(9000);
    expect(await reopened.check()).toEqual({ ok: true, packs: 1, blobs: 5, bad: [] });
  });

  it("indexes a member that a frame holds twice once", async () => {
    const store = await openLocalPackStore(dir);
    const [a, b] = [randomBlob(3000), randomBlob(2000)] as [TestBlob, TestBlob];
    const { data, withins } = frameOf([a, b, a]);
    const writer = await store.writer();
    const added = await writer.addFrame(
      [a, b, a].map((m, i) => ({ id: m.id, within: withins[i] as number })),
      data,
    );
    expect(added).toBe(2);
    expect(await writer.commit()).toEqual({ blobs: 2, bytes: data.length, packs: 1 });
    const reopened = await openLocalPackStore(dir);
    expect((await reopened.get(a.id)).within).toBe(0);
    expect((await reopened.get(b.id)).within).toBe(3000);
    expect(await reopened.check()).toEqual({ ok: true, packs: 1, blobs: 2, bad: [] });
  });

  it("names every member of a damaged frame, and prune keeps a frame while one member lives", async () => {
    const store = await openLocalPackStore(dir, { packSize: 4096 });
    const members = Array.from({ length: 3 }, () => randomBlob(2000));
    const { data, withins } = frameOf(members);
    const writer = await store.writer({ packSize: 4096 });
    await writer.addFrame(
      members.map((m, i) => ({ id: m.id, within: withins[i] as number })),
      data,
    );
    const filler = Array.from({ length: 8 }, () => randomBlob(3000));
    for (const f of filler) await writer.add(f.id, f.data);
    await writer.commit();

    // Only the middle member stays live: the frame's pack is mostly garbage and is rewritten.
    const keep = members[1] as TestBlob;
    const pruned = await store.prune(new Set([keep.id]));
    expect(pruned.packsDeleted + pruned.packsRewritten).toBeGreaterThan(0);
    const after = await openLocalPackStore(dir);
    const [blob] = await collect(after.getMany([keep.id]));
    expect(blob?.within).toBe(2000);
    expect(Buffer.from(blob?.data as Uint8Array).equals(data)).toBe(true);
    expect(await after.has((members[0] as TestBlob).id)).toBe(false);

    // Flip a byte inside the frame: the one live member is reported, and reads refuse it.
    const stats = await after.check();
    expect(stats.ok).toBe(true);
    const [packFile] = await packFiles();
    const bytes = await readFile(packFile as string);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    await writeFile(packFile as string, bytes);
    const damaged = await (await openLocalPackStore(dir)).check();
    expect(damaged.bad.map((b) => b.id)).toEqual([keep.id]);
    await expect(after.get(keep.id)).rejects.toMatchObject({ code: "BLOB_CORRUPT" });
  });
});

async function packFiles(): Promise<string[]> {
  const paths: string[] = [];
  for (const sub of await readdir(join(dir, "packs"))) {
    for (const name of await readdir(join(dir, "packs", sub))) {
      paths.push(packPath(join(dir, "packs"), name.slice(0, -5)));
    }
  }
  return paths;
}

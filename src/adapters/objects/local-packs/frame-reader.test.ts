import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FrameMap, ObjectStore } from "../../../ports/object-store.js";
import { openLocalPackStore } from "./local-pack-store.js";
import { packPath } from "./pack-builder.js";
import { randomBlob, type TestBlob } from "./test-blobs.test-support.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-frame-reader-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idsOf = (blobs: readonly TestBlob[]): Uint8Array =>
  Buffer.concat(blobs.map((b) => Buffer.from(b.id, "hex")));

/** Frames [from, to) read (in reverse order when asked), split by their stored lengths. */
async function framesOf(
  store: ObjectStore,
  map: FrameMap,
  from: number,
  to: number,
  reverse = false,
) {
  const frames = Uint32Array.from({ length: to - from }, (_, i) =>
    reverse ? to - 1 - i : from + i,
  );
  let total = 0;
  for (const f of frames) total += map.storedBytes[f] as number;
  const into = new Uint8Array(total + 7); // room to spare is fine
  await store.readFrames(map, frames, into);
  const out: Buffer[] = [];
  let at = 0;
  for (const f of frames) {
    out.push(Buffer.from(into.subarray(at, at + (map.storedBytes[f] as number))));
    at += map.storedBytes[f] as number;
  }
  return out;
}

/** Three frames of two members each in one pack, then two blobs alone in the next writer's pack. */
async function storeFrames(store: ObjectStore) {
  const members = Array.from({ length: 6 }, () => randomBlob(1500));
  const frames = [0, 2, 4].map((i) =>
    Buffer.concat([members[i], members[i + 1]].map((m) => (m as TestBlob).data)),
  );
  const first = await store.writer();
  for (const [f, data] of frames.entries()) {
    await first.addFrame(
      [
        { id: (members[2 * f] as TestBlob).id, within: 0 },
        { id: (members[2 * f + 1] as TestBlob).id, within: 1500 },
      ],
      data,
    );
  }
  await first.commit();
  const alone = [randomBlob(700), randomBlob(900)];
  const second = await store.writer();
  for (const b of alone) await second.add(b.id, b.data);
  await second.commit();
  return { members, frames, alone };
}

describe("locateFrames and readFrames", () => {
  it("numbers each frame once, in storage order, whatever order its members are asked in", async () => {
    const store = await openLocalPackStore(dir);
    const { members, frames, alone } = await storeFrames(store);
    const m = (i: number) => members[i] as TestBlob;
    // Asked out of order, with a member twice and blobs of the second pack first.
    const asked = [alone[1] as TestBlob, m(5), m(0), m(4), m(1), alone[0] as TestBlob, m(0)];
    const map = await (await openLocalPackStore(dir)).locateFrames(idsOf(asked));
    expect(map.frames).toBe(4);
    const byFrame = [...map.frameOf];
    // Within a pack, frames are numbered in offset order: m0's frame, then m4's; alone[0], then
    // alone[1]. (Which pack comes first follows the order the index files are read in.)
    const [a1, c5, a0, c4, a1b, b0, a0b] = byFrame as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expect([c5, c4, a1b, a0b]).toEqual([a0 + 1, a0 + 1, a0, a0]);
    expect(a1).toBe(b0 + 1);
    expect(new Set(byFrame)).toEqual(new Set([0, 1, 2, 3]));
    expect([...map.within]).toEqual([0, 1500, 0, 0, 1500, 0, 0]);

    const read = await framesOf(store, map, 0, map.frames);
    expect(read[a0]?.equals(frames[0] as Buffer)).toBe(true);
    expect(read[c4]?.equals(frames[2] as Buffer)).toBe(true);
    expect(read[a1]?.equals((alone[1] as TestBlob).data)).toBe(true);
    expect(read[b0]?.equals((alone[0] as TestBlob).data)).toBe(true);
    // Part of the range, and frames in another order than stored.
    const [one] = await framesOf(store, map, c4, c4 + 1);
    expect(one?.equals(frames[2] as Buffer)).toBe(true);
    const backwards = await framesOf(store, map, 0, map.frames, true);
    expect(backwards.map((b) => b.toString("hex"))).toEqual(
      read.reverse().map((b) => b.toString("hex")),
    );
  });

  it("names a blob the store lacks, and a damaged or truncated frame", async () => {
    const store = await openLocalPackStore(dir);
    const { members } = await storeFrames(store);
    const stranger = randomBlob(100);
    await expect(
      store.locateFrames(idsOf([members[0] as TestBlob, stranger])),
    ).rejects.toMatchObject({
      code: "BLOB_MISSING",
      message: expect.stringContaining(stranger.id),
    });
    await expect(store.locateFrames(new Uint8Array(33))).rejects.toThrow(/32 bytes each/);

    const map = await store.locateFrames(idsOf(members));
    // The first writer's pack (the larger one): three frames of 3,000 bytes after a header.
    const packFile = (await packFiles()).at(-1);
    const bytes = await readFile(packFile as string);
    const middle = Math.floor(bytes.length / 2); // inside the second frame
    bytes[middle] = (bytes[middle] as number) ^ 0x01;
    await writeFile(packFile as string, bytes);
    await expect(framesOf(store, map, 0, 1)).resolves.toHaveLength(1);
    await expect(framesOf(store, map, 0, 3)).rejects.toMatchObject({
      code: "BLOB_CORRUPT",
      message: expect.stringMatching(/CRC-32/),
    });
    await writeFile(packFile as string, bytes.subarray(0, 4000));
    await expect(framesOf(store, map, 2, 3)).rejects.toMatchObject({
      code: "BLOB_CORRUPT",
      message: expect.stringMatching(/shorter than the index says/),
    });
    await expect(
      store.readFrames(map, Uint32Array.of(0, 1, 2), new Uint8Array(10)),
    ).rejects.toThrow(/too small/);
  });

  it("reads frames a prune moved after they were located", async () => {
    const store = await openLocalPackStore(dir);
    const { members, frames } = await storeFrames(store);
    const keep = [members[2] as TestBlob, members[3] as TestBlob];
    const reader = await openLocalPackStore(dir);
    const map = await reader.locateFrames(idsOf(keep));
    const before = await packFiles();
    // A third of its pack stays live: that pack is rewritten, the frame copied to a new one.
    const pruned = await store.prune(new Set(keep.map((k) => k.id)));
    expect(pruned.packsRewritten).toBe(1);
    const after = await packFiles();
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    const [frame] = await framesOf(reader, map, 0, 1);
    expect(frame?.equals(frames[1] as Buffer)).toBe(true);
  });
});

/** The pack files, smallest first. */
async function packFiles(): Promise<string[]> {
  const paths: string[] = [];
  for (const sub of await readdir(join(dir, "packs"))) {
    for (const name of await readdir(join(dir, "packs", sub))) {
      paths.push(packPath(join(dir, "packs"), name.slice(0, -5)));
    }
  }
  const sizes = new Map<string, number>();
  for (const p of paths) sizes.set(p, (await readFile(p)).length);
  return paths.sort((a, b) => (sizes.get(a) as number) - (sizes.get(b) as number));
}

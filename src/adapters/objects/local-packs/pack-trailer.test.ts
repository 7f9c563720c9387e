import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobTable } from "./blob-table.js";
import { encodeIndex, indexFileName } from "./index-format.js";
import { openLocalPackStore } from "./local-pack-store.js";
import { memberSizes } from "./member-sizes.js";
import { packPath } from "./pack-builder.js";
import { decodeTrailer, PACK_MAGIC, PACK_MAGIC_V2 } from "./pack-format.js";
import { randomBlob, type TestBlob } from "./test-blobs.test-support.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-trailer-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A raw blob-format frame of `members` back to back: kind 0, decoded length (u32 LE), bytes. */
function rawFrame(members: readonly TestBlob[]): { data: Buffer; withins: number[] } {
  const body = Buffer.concat(members.map((m) => m.data));
  const header = Buffer.alloc(5);
  header.writeUInt32LE(body.length, 1);
  const withins: number[] = [];
  let at = 0;
  for (const m of members) {
    withins.push(at);
    at += m.data.length;
  }
  return { data: Buffer.concat([header, body]), withins };
}

async function packBytes(): Promise<Buffer[]> {
  const names = (await readdir(join(dir, "packs"), { recursive: true })).filter((f) =>
    f.endsWith(".pack"),
  );
  return Promise.all(names.map((name) => readFile(join(dir, "packs", name))));
}

describe("member sizes", () => {
  it("runs each member to the next, the last to the frame's decoded length", () => {
    const frame = Buffer.from([1, 0x00, 0x30, 0, 0, 9, 9]); // compressed, 12,288 bytes decoded
    expect(memberSizes([{ within: 0 }, { within: 4096 }, { within: 8192 }], frame)).toEqual([
      4096, 4096, 4096,
    ]);
    expect(memberSizes([{ within: 0 }], frame)).toEqual([12288]);
    // Not a blob-format frame, or members out of order: 0, never a negative size.
    expect(memberSizes([{ within: 0 }], Buffer.from([0, 1]))).toEqual([0]);
    expect(memberSizes([{ within: 100 }, { within: 50 }], frame)).toEqual([0, 12238]);
  });
});

describe("pack trailers written by the store", () => {
  it("record each member's size from the whole frame, and prune carries them over", async () => {
    const store = await openLocalPackStore(dir);
    const blobs = [randomBlob(100), randomBlob(200), randomBlob(300), randomBlob(400)];
    const { data, withins } = rawFrame(blobs);
    const writer = await store.writer();
    const stored = blobs[1] as TestBlob;
    await writer.add(stored.id, stored.data);
    await writer.addFrame(
      blobs.map((b, i) => ({ id: b.id, within: withins[i] as number })),
      data,
    );
    await writer.commit();

    const [pack] = await packBytes();
    const single = { offset: 0, length: 200, crc: crc32(stored.data) };
    // The one blob added alone is not a blob-format frame here: its size is what its bytes say.
    const singleSize = memberSizes([{ within: 0 }], stored.data)[0];
    expect(decodeTrailer(pack as Buffer)).toEqual({
      format: PACK_MAGIC,
      frames: [
        { ...single, members: [{ within: 0, size: singleSize }] },
        {
          offset: 200,
          length: data.length,
          crc: crc32(data),
          members: [
            { within: 0, size: 100 }, // not 300: the member after it was already stored
            { within: 300, size: 300 },
            { within: 600, size: 400 },
          ],
        },
      ],
    });

    // Only the frame's first member stays: its pack is rewritten, the size comes along.
    await store.prune(new Set([(blobs[0] as TestBlob).id]));
    const [rewritten] = await packBytes();
    expect(decodeTrailer(rewritten as Buffer)).toEqual({
      format: PACK_MAGIC,
      frames: [
        { offset: 0, length: data.length, crc: crc32(data), members: [{ within: 0, size: 100 }] },
      ],
    });
    const read = await (await openLocalPackStore(dir)).get((blobs[0] as TestBlob).id);
    expect(Buffer.from(read.data).equals(data)).toBe(true);
  });
});

describe("a store whose packs are SSPACK02", () => {
  /** Writes one SSPACK02 pack holding `blobs` as one frame, and an index naming them. */
  async function writeV2Store(blobs: readonly TestBlob[]): Promise<Buffer> {
    await openLocalPackStore(dir);
    const { data, withins } = rawFrame(blobs);
    const trailer = Buffer.alloc(blobs.length * 48 + 32);
    blobs.forEach((blob, k) => {
      trailer.write(blob.id, k * 48, "hex");
      trailer.writeUInt32LE(0, k * 48 + 32);
      trailer.writeUInt32LE(data.length, k * 48 + 36);
      trailer.writeUInt32LE(crc32(data), k * 48 + 40);
      trailer.writeUInt32LE(withins[k] as number, k * 48 + 44);
    });
    const footer = blobs.length * 48;
    trailer.writeUInt32LE(blobs.length, footer + 16);
    trailer.writeUInt32LE(crc32(trailer.subarray(0, footer)), footer + 20);
    trailer.write(PACK_MAGIC_V2, footer + 24, "latin1");
    const pack = Buffer.concat([data, trailer]);
    const id = createHash("sha256").update(pack).digest("hex");
    await mkdir(join(dir, "packs", id.slice(0, 2)), { recursive: true });
    await writeFile(packPath(join(dir, "packs"), id), pack);
    const table = new BlobTable();
    blobs.forEach((blob, k) => {
      const key = Buffer.from(blob.id, "hex");
      table.insert(key, 0, 0, 0, data.length, crc32(data), withins[k] as number);
    });
    const index = encodeIndex([{ id, size: pack.length }], table);
    await writeFile(join(dir, "index", indexFileName(index)), index);
    return data;
  }

  it("reads, checks, and prunes them into SSPACK03 packs with inferred sizes", async () => {
    const blobs = [randomBlob(1000), randomBlob(2000), randomBlob(3000)];
    const data = await writeV2Store(blobs);
    const store = await openLocalPackStore(dir);
    expect(await store.check()).toEqual({ ok: true, packs: 1, blobs: 3, bad: [] });
    const middle = blobs[1] as TestBlob;
    const read = await store.get(middle.id);
    expect(read.within).toBe(1000);
    expect(Buffer.from(read.data).equals(data)).toBe(true);

    await store.prune(new Set([middle.id]));
    const [rewritten] = await packBytes();
    expect(decodeTrailer(rewritten as Buffer)).toEqual({
      format: PACK_MAGIC,
      frames: [
        {
          offset: 0,
          length: data.length,
          crc: crc32(data),
          members: [{ within: 1000, size: 2000 }],
        },
      ],
    });
    const after = await openLocalPackStore(dir);
    expect(Buffer.from((await after.get(middle.id)).data).equals(data)).toBe(true);
    expect(await after.has((blobs[2] as TestBlob).id)).toBe(false);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cdcChunks } from "../../../domain/chunking/fast-cdc.js";
import {
  BLOCK_BUFFER_BYTES,
  blockBufferPools,
  type ChunkBlock,
  fileBlocks,
  plainFileSource,
} from "./file-chunks.js";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "shipsafe-file-chunks-"));
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** The file's chunks as fileBlocks yields them, each copied out of its block. */
async function chunksOf(
  path: string,
  size: number,
  pools = blockBufferPools({
    own: [{ bytes: 256 * 1024, keep: 2 }],
    shared: [
      { bytes: 1024 * 1024, keep: 2 },
      { bytes: BLOCK_BUFFER_BYTES, keep: 2 },
    ],
  }),
) {
  const chunks: Buffer[] = [];
  const blocks: ChunkBlock[] = [];
  for await (const block of fileBlocks(await plainFileSource(path), size, pools.shared)) {
    blocks.push(block);
    let start = 0;
    for (const end of block.cuts) {
      chunks.push(Buffer.from(block.data.subarray(start, end)));
      start = end;
    }
    pools.shared.give(block.data);
  }
  return { chunks, blocks };
}

describe("fileBlocks", () => {
  it("yields a file as whole content-defined chunks, the last one in the last block", async () => {
    const content = randomBytes(9 * 1024 * 1024 + 12_345);
    const path = join(work, "f.bin");
    await writeFile(path, content);
    const { chunks, blocks } = await chunksOf(path, content.length);
    // Buffer#equals: vitest's deep equality walks a 9 MiB buffer element by element (~45 s).
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    let start = 0;
    expect(chunks.map((c) => (start += c.length))).toEqual(cdcChunks(content));
    expect(blocks.length).toBeGreaterThan(2);
    expect(blocks.every((b) => b.data.length === BLOCK_BUFFER_BYTES)).toBe(true);
  });

  it("cuts a small file in one block, and an empty file in none", async () => {
    const content = randomBytes(100_000);
    await writeFile(join(work, "small"), content);
    await writeFile(join(work, "empty"), "");
    const small = await chunksOf(join(work, "small"), content.length);
    expect(small.blocks).toHaveLength(1);
    expect(Buffer.concat(small.chunks).equals(content)).toBe(true);
    expect((await chunksOf(join(work, "empty"), 0)).chunks).toEqual([]);
  });
});

describe("fileBlocks with deferContentCuts", () => {
  const blocksOf = async (path: string, size: number) => {
    const blocks: ChunkBlock[] = [];
    const source = await plainFileSource(path);
    for await (const block of fileBlocks(source, size, undefined, { deferContentCuts: true })) {
      blocks.push(block);
    }
    return blocks;
  };

  it("leaves a file read whole uncut (one end, byContent) for the worker to cut", async () => {
    const content = randomBytes(300_000);
    await writeFile(join(work, "whole"), content);
    const [block, ...more] = await blocksOf(join(work, "whole"), content.length);
    expect(more).toEqual([]);
    expect(block?.byContent).toBe(true);
    expect(block?.cuts).toEqual([content.length]);
    expect(
      Buffer.from((block as ChunkBlock).data.subarray(0, content.length)).equals(content),
    ).toBe(true);
  });

  it("still cuts a file of several blocks as it is read", async () => {
    const content = randomBytes(5 * 1024 * 1024);
    await writeFile(join(work, "large"), content);
    const blocks = await blocksOf(join(work, "large"), content.length);
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.some((b) => b.byContent)).toBe(false);
    let consumed = 0;
    const cuts = blocks.flatMap((b) => {
      const absolute = b.cuts.map((c) => c + consumed);
      consumed += b.cuts.at(-1) ?? 0;
      return absolute;
    });
    expect(cuts).toEqual(cdcChunks(content));
  });
});

describe("blockBufferPools", () => {
  it("hands a buffer given back out again, by size class, shared or not", () => {
    const pools = blockBufferPools({
      own: [
        { bytes: 5000, keep: 2 },
        { bytes: 1000, keep: 1 },
      ],
      shared: [{ bytes: BLOCK_BUFFER_BYTES, keep: 1 }],
    });
    const own = pools.own.take(500);
    expect(own.buffer).toBeInstanceOf(ArrayBuffer);
    expect(own.length).toBe(1000); // the smallest class it fits, whatever order they came in
    pools.own.give(own);
    expect(pools.own.take(10)).toBe(own);
    const mid = pools.own.take(4000);
    expect(mid.length).toBe(5000);
    pools.own.give(mid);
    expect(pools.own.take(4999)).toBe(mid);
    const block = pools.shared.take(2 * 1024 * 1024);
    expect(block.buffer).toBeInstanceOf(SharedArrayBuffer);
    const other = pools.shared.take(3 * 1024 * 1024);
    expect([block.length, other.length]).toEqual([BLOCK_BUFFER_BYTES, BLOCK_BUFFER_BYTES]);
    pools.shared.give(block);
    pools.shared.give(other); // over `keep`: dropped
    expect(pools.shared.take(2 * 1024 * 1024)).toBe(block);
    // Not `.not.toBe`: on two different objects vitest's toBe compares them deeply for its hint,
    // element by element over 4 MiB (~25 s).
    expect(pools.shared.take(2 * 1024 * 1024) === other).toBe(false);
    const large = pools.shared.take(BLOCK_BUFFER_BYTES + 1);
    expect(large.length).toBe(BLOCK_BUFFER_BYTES + 1);
    pools.own.give(pools.shared.take(10)); // a shared buffer is no own buffer
    expect(pools.own.take(900).buffer).toBeInstanceOf(ArrayBuffer);
  });
});

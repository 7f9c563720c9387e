import { open } from "node:fs/promises";
import { createCdc } from "../../../domain/chunking/fast-cdc.js";
import { sqliteHeaderLength, sqlitePageSize } from "../../../domain/chunking/fixed-chunks.js";

const READ_SIZE = 4 * 1024 * 1024;

/** Whole chunks read from a file: their bytes back to back and the end offset of each. */
export interface ChunkBlock {
  readonly data: Uint8Array;
  readonly cuts: readonly number[];
}

/**
 * How a file is cut, from its first bytes: a SQLite database at its page size (pages change in
 * place), anything else by content (FastCDC).
 */
function pageSizeOf(first: Uint8Array): number | undefined {
  return first.length >= sqliteHeaderLength ? sqlitePageSize(first) : undefined;
}

/**
 * Streams a file as blocks of whole chunks (about READ_SIZE each) for batch hashing, with bounded
 * memory: every block is a fresh buffer the caller may hand to a worker. A chunk cut across a read
 * is carried over into the next block.
 */
export async function* fileBlocks(path: string): AsyncGenerator<ChunkBlock> {
  const handle = await open(path, "r");
  try {
    // A small file gets a buffer its size (+1 to see the end), not READ_SIZE: thousands of
    // 4 MiB buffers for small files would cost more in allocation than in reading.
    let readSize = Math.min(READ_SIZE, (await handle.stat()).size + 1);
    let pageSize: number | undefined;
    let cdc: ReturnType<typeof createCdc> | undefined;
    let carry = new Uint8Array(0);
    let consumed = 0; // absolute offset of carry[0]
    for (;;) {
      // Not zero-filled (every byte used is read) and whole: its ArrayBuffer can be moved.
      const buffer = Buffer.allocUnsafeSlow(carry.length + readSize);
      buffer.set(carry, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, readSize, null);
      readSize = READ_SIZE;
      if (bytesRead === 0) break;
      const joined = buffer.subarray(0, carry.length + bytesRead);
      if (consumed === 0 && pageSize === undefined && cdc === undefined) {
        pageSize = pageSizeOf(joined);
        if (pageSize === undefined) cdc = createCdc();
      }
      const cuts = cdc
        ? cdc.push(joined.subarray(carry.length))
        : fixedCuts(consumed, joined.length, pageSize as number);
      const end = cuts.length > 0 ? (cuts.at(-1) as number) - consumed : 0;
      // Copies, not views: the block's buffer is moved to a worker, which detaches it here.
      carry = Uint8Array.prototype.slice.call(joined, end);
      if (end > 0) {
        const data =
          end === buffer.length ? buffer : Uint8Array.prototype.slice.call(buffer, 0, end);
        yield { data, cuts: cuts.map((cut) => cut - consumed) };
      }
      consumed += end;
    }
    if (cdc) cdc.finish();
    if (carry.length > 0) yield { data: carry, cuts: [carry.length] };
  } finally {
    await handle.close();
  }
}

/** Cut points (absolute) at every whole page inside `[offset, offset + length)`. */
function fixedCuts(offset: number, length: number, size: number): number[] {
  const cuts: number[] = [];
  for (let end = offset + size; end <= offset + length; end += size) cuts.push(end);
  return cuts;
}

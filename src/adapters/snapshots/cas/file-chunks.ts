import { open } from "node:fs/promises";
import { createCdc } from "../../../domain/chunking/fast-cdc.js";
import { sqliteHeaderLength, sqlitePageSize } from "../../../domain/chunking/fixed-chunks.js";
import type { FileSource } from "../../../ports/state-asset.js";

/** A file is read in blocks of this many bytes; a smaller one is read whole, in one block. */
export const READ_SIZE = 4 * 1024 * 1024;

/** Whole chunks read from a file: their bytes back to back and the end offset of each. */
export interface ChunkBlock {
  readonly data: Uint8Array;
  readonly cuts: readonly number[];
  /**
   * The block is the whole file, still to be cut by content (FastCDC): `cuts` is its one end.
   * Only with `deferContentCuts`, so the cutting can go to a worker with the hashing.
   */
  readonly byContent?: boolean;
}

/**
 * How a file is cut, from its first bytes: a SQLite database at its page size (pages change in
 * place), anything else by content (FastCDC).
 */
function pageSizeOf(first: Uint8Array): number | undefined {
  return first.length >= sqliteHeaderLength ? sqlitePageSize(first) : undefined;
}

/** A plain file as a FileSource. */
export async function plainFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, "r");
  return {
    read: async (into, offset, length) => (await handle.read(into, offset, length, null)).bytesRead,
    close: () => handle.close(),
  };
}

/** Buffers for fileBlocks' blocks: handed out, and given back when a block is done with. */
export interface BlockBuffers {
  /** A buffer of at least `minBytes`. */
  take(minBytes: number): Uint8Array;
  give(buffer: Uint8Array): void;
}

/** Fresh buffers every time (nothing reused). */
const freshBuffers: BlockBuffers = {
  take: (n) => Buffer.allocUnsafeSlow(n),
  give: () => undefined,
};

/** The size of the buffers a block pool should hold: a read and the carried-over chunk. */
export const BLOCK_BUFFER_BYTES = READ_SIZE + 256 * 1024;

/** A size of pooled buffer, and how many spare ones of it a pool keeps. */
export interface BufferClass {
  readonly bytes: number;
  readonly keep: number;
}

/**
 * Reused block buffers, not one allocated per block: each fresh buffer counts as external memory,
 * and their churn made the garbage collector run ~170 times in a 1 GiB snapshot, while buffers
 * not yet collected held ~40 MiB of resident memory over 2,000 small files.
 * - `own`: plain buffers, for blocks hashed on this thread or moved to a worker and back (a file
 *   read in one block: one task reads it);
 * - `shared`: SharedArrayBuffers, for blocks several workers read at once (a large file's).
 * A request takes a spare buffer of the smallest class it fits, or a new one of that class's size;
 * larger requests get a buffer of their own. A buffer given back is kept while its class has
 * fewer than `keep` spares.
 */
export function blockBufferPools(classes: {
  readonly own: readonly BufferClass[];
  readonly shared: readonly BufferClass[];
}): { shared: BlockBuffers; own: BlockBuffers } {
  const shared = (n: number) => new Uint8Array(new SharedArrayBuffer(n));
  const own = (n: number) => new Uint8Array(n);
  const sorted = (list: readonly BufferClass[], isShared: boolean) =>
    [...list]
      .sort((a, b) => a.bytes - b.bytes)
      .map((c) => ({ ...c, isShared, make: isShared ? shared : own, spare: [] as Uint8Array[] }));
  const all = [...sorted(classes.own, false), ...sorted(classes.shared, true)];
  const take = (isShared: boolean, n: number): Uint8Array => {
    const fit = all.find((c) => c.isShared === isShared && n <= c.bytes);
    if (fit === undefined) return isShared ? shared(n) : own(n);
    return fit.spare.pop() ?? fit.make(fit.bytes);
  };
  const give = (buffer: Uint8Array): void => {
    const isShared = buffer.buffer instanceof SharedArrayBuffer;
    const fit = all.find((c) => c.isShared === isShared && buffer.byteLength === c.bytes);
    if (fit && buffer.byteLength === buffer.buffer.byteLength && fit.spare.length < fit.keep) {
      fit.spare.push(buffer);
    }
  };
  return {
    shared: { take: (n) => take(true, n), give },
    own: { take: (n) => take(false, n), give },
  };
}

/**
 * Streams a file of `size` bytes as blocks of whole chunks (about READ_SIZE each) for batch
 * hashing, with bounded memory. Every block's `data` is a whole buffer from `buffers` (its bytes
 * after the last cut are not the file's), which the caller may hand to a worker and give back
 * afterwards. A chunk cut across a read is carried over into the next block. A read shorter than
 * asked ends the file. Closes the source. With `deferContentCuts`, a file read whole in its first
 * block and cut by content comes uncut (`byContent`): whoever hashes it cuts it.
 */
export async function* fileBlocks(
  source: FileSource,
  size: number,
  buffers: BlockBuffers = freshBuffers,
  options: { readonly deferContentCuts?: boolean } = {},
): AsyncGenerator<ChunkBlock> {
  try {
    // A small file reads into a buffer its size (+1 to see the end), not READ_SIZE.
    let readSize = Math.min(READ_SIZE, size + 1);
    let pageSize: number | undefined;
    let cdc: ReturnType<typeof createCdc> | undefined;
    let carry = new Uint8Array(0);
    let consumed = 0; // absolute offset of carry[0]
    for (;;) {
      const buffer = buffers.take(carry.length + readSize);
      buffer.set(carry, 0);
      const bytesRead = await readFully(source, buffer, carry.length, readSize);
      const atEnd = bytesRead < readSize;
      readSize = READ_SIZE;
      const joined = buffer.subarray(0, carry.length + bytesRead);
      if (bytesRead > 0 && consumed === 0 && pageSize === undefined && cdc === undefined) {
        pageSize = pageSizeOf(joined);
        if (pageSize === undefined) cdc = createCdc();
      }
      if (atEnd && consumed === 0 && cdc && options.deferContentCuts) {
        yield { data: buffer, cuts: [joined.length], byContent: true };
        return;
      }
      const cuts =
        bytesRead === 0
          ? []
          : cdc
            ? cdc.push(joined.subarray(carry.length))
            : fixedCuts(consumed, joined.length, pageSize as number);
      if (atEnd) {
        // What no cut claimed is the last chunk, in the same block.
        cdc?.finish();
        const ends = cuts.map((cut) => cut - consumed);
        if ((ends.at(-1) ?? 0) < joined.length) ends.push(joined.length);
        yield { data: buffer, cuts: ends };
        return;
      }
      const end = cuts.length > 0 ? (cuts.at(-1) as number) - consumed : 0;
      // A copy, not a view: the block's buffer is moved to a worker, which detaches it here.
      carry = Uint8Array.prototype.slice.call(joined, end);
      if (end > 0) yield { data: buffer, cuts: cuts.map((cut) => cut - consumed) };
      else buffers.give(buffer);
      consumed += end;
    }
  } finally {
    await source.close();
  }
}

/** Reads until `length` bytes or the end: a source may return fewer bytes than asked. */
async function readFully(
  source: FileSource,
  into: Uint8Array,
  offset: number,
  length: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await source.read(into, offset + done, length - done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Cut points (absolute) at every whole page inside `[offset, offset + length)`. */
function fixedCuts(offset: number, length: number, size: number): number[] {
  const cuts: number[] = [];
  for (let end = offset + size; end <= offset + length; end += size) cuts.push(end);
  return cuts;
}

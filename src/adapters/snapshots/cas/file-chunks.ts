import { open } from "node:fs/promises";
import { createCdc } from "../../../domain/chunking/fast-cdc.js";
import { sqliteHeaderLength, sqlitePageSize } from "../../../domain/chunking/fixed-chunks.js";

const READ_SIZE = 4 * 1024 * 1024;

/** How a file is cut: a SQLite database at its page size (pages change in place), anything else by content. */
export type ChunkingKind =
  | { readonly kind: "pages"; readonly size: number }
  | { readonly kind: "cdc" };

/** Reads the first bytes of a file to choose how to cut it. */
export async function chunkingFor(path: string): Promise<ChunkingKind> {
  const handle = await open(path, "r");
  try {
    const header = new Uint8Array(sqliteHeaderLength);
    const { bytesRead } = await handle.read(header, 0, sqliteHeaderLength, 0);
    const size = bytesRead === sqliteHeaderLength ? sqlitePageSize(header) : undefined;
    return size ? { kind: "pages", size } : { kind: "cdc" };
  } finally {
    await handle.close();
  }
}

/**
 * Streams a file as chunks with bounded memory: each read goes into a fresh buffer (after the
 * carried-over tail of an unfinished chunk), and chunks are yielded as views of it — no per-chunk
 * copy. A yielded chunk stays valid after the next one is read (its buffer is never reused).
 */
export async function* fileChunks(path: string, how: ChunkingKind): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const cdc = how.kind === "cdc" ? createCdc() : undefined;
    let carry = new Uint8Array(0);
    let consumed = 0; // absolute offset of carry[0]
    for (;;) {
      const buffer = new Uint8Array(carry.length + READ_SIZE);
      buffer.set(carry, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, READ_SIZE, null);
      if (bytesRead === 0) break;
      const joined = buffer.subarray(0, carry.length + bytesRead);
      const block = joined.subarray(carry.length);
      const cuts = cdc
        ? cdc.push(block)
        : fixedCuts(consumed, joined.length, how.kind === "pages" ? how.size : 0);
      let start = 0;
      for (const cut of cuts) {
        const end = cut - consumed;
        yield joined.subarray(start, end);
        start = end;
      }
      carry = joined.subarray(start);
      consumed += start;
    }
    if (cdc) cdc.finish();
    if (carry.length > 0) yield carry;
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

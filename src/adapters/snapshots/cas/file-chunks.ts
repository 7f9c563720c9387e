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
 * Streams a file as chunks with bounded memory (one read buffer plus the bytes of an unfinished
 * chunk). Each yielded chunk is its own copy, safe to hand to a worker.
 */
export async function* fileChunks(path: string, how: ChunkingKind): AsyncGenerator<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const cdc = how.kind === "cdc" ? createCdc() : undefined;
    let pending = new Uint8Array(0);
    let consumed = 0; // absolute offset of pending[0]
    const buffer = new Uint8Array(READ_SIZE);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, null);
      if (bytesRead === 0) break;
      const block = buffer.subarray(0, bytesRead);
      const joined = concat(pending, block);
      const cuts = cdc
        ? cdc.push(block)
        : fixedCuts(consumed, joined.length, how.kind === "pages" ? how.size : 0);
      let start = 0;
      for (const cut of cuts) {
        const end = cut - consumed;
        yield joined.slice(start, end);
        start = end;
      }
      pending = joined.slice(start);
      consumed += start;
    }
    if (cdc) cdc.finish();
    if (pending.length > 0) yield pending;
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

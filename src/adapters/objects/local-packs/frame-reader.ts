import { closeSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { FrameMap } from "../../../ports/object-store.js";
import { blobCorrupt, blobMissing } from "./blob-errors.js";
import { openPackSync } from "./blob-reader.js";
import { ID_BYTES } from "./blob-table.js";
import type { IndexState } from "./index-state.js";
import type { StoreContext } from "./store-context.js";

const hexOf = (ids: Uint8Array, blob: number): string =>
  Buffer.from(ids.buffer, ids.byteOffset + blob * ID_BYTES, ID_BYTES).toString("hex");

/** A FrameMap of this store: where each frame is, and one blob asked for in it to find it again. */
class PackFrameMap implements FrameMap {
  readonly frameOf: Uint32Array;
  readonly within: Uint32Array;
  readonly storedBytes: Uint32Array;
  readonly pack: Uint32Array;
  readonly offset: Uint32Array;
  readonly crc: Uint32Array;
  /** Per frame: a blob asked for that it holds (an index into `ids`). */
  readonly member: Uint32Array;

  constructor(
    readonly ids: Uint8Array,
    blobs: number,
    readonly frames: number,
    /** The index state the packs are numbered in. */
    public state: IndexState,
  ) {
    this.frameOf = new Uint32Array(blobs);
    this.within = new Uint32Array(blobs);
    this.storedBytes = new Uint32Array(frames);
    this.pack = new Uint32Array(frames);
    this.offset = new Uint32Array(frames);
    this.crc = new Uint32Array(frames);
    this.member = new Uint32Array(frames);
  }
}

/**
 * Locates every blob of `ids` with typed arrays only (a restore asks for ~300,000 4 KiB pages of a
 * 1 GiB database; objects or hex strings per blob cost seconds of the main thread). Frames are
 * told apart by (pack, offset) and numbered in that order.
 */
export async function locateFrames(ctx: StoreContext, ids: Uint8Array): Promise<FrameMap> {
  if (ids.length % ID_BYTES !== 0) {
    throw new RangeError(`ids must be 32 bytes each, got ${ids.length} bytes`);
  }
  const blobs = ids.length / ID_BYTES;
  let state = await ctx.loaded();
  const entry = new Int32Array(blobs);
  for (let refreshed = false; ; refreshed = true) {
    let missing = -1;
    for (let b = 0; b < blobs; b++) {
      const found = state.table.find(ids, b * ID_BYTES);
      entry[b] = found;
      if (found < 0 && missing < 0) missing = b;
    }
    if (missing < 0) break;
    if (refreshed) throw blobMissing(hexOf(ids, missing));
    state = await ctx.refresh(); // committed since the index was read
  }
  const { table } = state;
  // A frame's key: pack × 2^32 + offset, exact in a double; sorted natively, then made unique.
  const keys = new Float64Array(blobs);
  for (let b = 0; b < blobs; b++) {
    const e = entry[b] as number;
    keys[b] = table.pack(e) * 2 ** 32 + table.offset(e);
  }
  const sorted = keys.slice().sort();
  let frames = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[frames - 1]) sorted[frames++] = sorted[i] as number;
  }
  const map = new PackFrameMap(ids, blobs, frames, state);
  for (let b = 0; b < blobs; b++) {
    const frame = search(sorted, frames, keys[b] as number);
    const e = entry[b] as number;
    map.frameOf[b] = frame;
    map.within[b] = table.within(e);
    map.storedBytes[frame] = table.length(e);
    map.pack[frame] = table.pack(e);
    map.offset[frame] = table.offset(e);
    map.crc[frame] = table.crc(e);
    map.member[frame] = b;
  }
  return map;
}

/** The index of `key` in the first `count` values of ascending `sorted` (it is there). */
function search(sorted: Float64Array, count: number, key: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Reads `frames` back to back into `into`: frames listed one after the other that lie next to each
 * other in a pack are read with one read. A pack gone since the map was made (a prune rewrote it)
 * makes the frames be looked up again in a fresh index, once.
 */
export async function readFrames(
  ctx: StoreContext,
  frameMap: FrameMap,
  frames: Uint32Array,
  into: Uint8Array,
): Promise<void> {
  if (!(frameMap instanceof PackFrameMap)) {
    throw new TypeError("readFrames needs a frame map from this store's locateFrames");
  }
  const map = frameMap;
  for (let attempt = 0; ; attempt++) {
    try {
      readRuns(ctx.packsDir, map, frames, into);
      return;
    } catch (error) {
      const gone = (error as { gonePack?: string }).gonePack;
      if (gone === undefined) throw error;
      const fresh = await ctx.refresh();
      if (attempt > 0 || fresh === map.state) throw (error as { cause: unknown }).cause;
      relocate(map, fresh);
    }
  }
}

/** Points every frame at where a fresh index says its blobs are now. */
function relocate(map: PackFrameMap, state: IndexState): void {
  for (let f = 0; f < map.frames; f++) {
    const member = map.member[f] as number;
    const e = state.table.find(map.ids, member * ID_BYTES);
    const packId = (map.state.packs[map.pack[f] as number] as { id: string }).id;
    if (e < 0) throw blobMissing(hexOf(map.ids, member), packId);
    // A prune copies a frame whole: the same stored bytes, members at the same offsets.
    if (
      state.table.length(e) !== map.storedBytes[f] ||
      state.table.within(e) !== map.within[member]
    ) {
      throw blobCorrupt(hexOf(map.ids, member), packId, "it moved to a frame of another size");
    }
    map.pack[f] = state.table.pack(e);
    map.offset[f] = state.table.offset(e);
    map.crc[f] = state.table.crc(e);
  }
  map.state = state;
}

/**
 * Reads with synchronous calls on this thread, not through libuv's thread pool: a restore keeps up
 * to 32 fsyncs of finished files in that pool (4 threads), and reads queued behind them left both
 * workers idle (~0.5 s of a 4 s restore of the 1.36 GB benchmark snapshot). A run is at most a
 * task's 2 MiB, usually from the page cache, and this thread is otherwise idle during a restore.
 */
function readRuns(
  packsDir: string,
  map: PackFrameMap,
  frames: Uint32Array,
  into: Uint8Array,
): void {
  let need = 0;
  for (const f of frames) need += map.storedBytes[f] as number;
  if (need > into.length) {
    throw new RangeError(`readFrames: ${into.length} bytes is too small for ${need}`);
  }
  let at = 0;
  let i = 0;
  while (i < frames.length) {
    const pack = map.pack[frames[i] as number] as number;
    const packId = (map.state.packs[pack] as { id: string }).id;
    const first = map.member[frames[i] as number] as number;
    const fd = openPackSync(packsDir, packId, hexOf(map.ids, first));
    try {
      while (i < frames.length && map.pack[frames[i] as number] === pack) {
        // One run: frames listed in a row that follow each other in the pack.
        const start = map.offset[frames[i] as number] as number;
        let end = start;
        let j = i;
        while (j < frames.length) {
          const f = frames[j] as number;
          if (map.pack[f] !== pack || map.offset[f] !== end) break;
          end += map.storedBytes[f] as number;
          j++;
        }
        const bytesRead = readSync(fd, into, at, end - start, start);
        let position = start;
        for (; i < j; i++) {
          const f = frames[i] as number;
          const length = map.storedBytes[f] as number;
          const blob = (): string => hexOf(map.ids, map.member[f] as number);
          if (bytesRead < position - start + length) {
            throw blobCorrupt(blob(), packId, "the pack file is shorter than the index says");
          }
          if (crc32(into.subarray(at, at + length)) !== map.crc[f]) {
            throw blobCorrupt(blob(), packId, "its CRC-32 does not match the index");
          }
          at += length;
          position += length;
        }
      }
    } finally {
      closeSync(fd);
    }
  }
}

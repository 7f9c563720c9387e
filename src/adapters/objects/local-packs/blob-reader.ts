import { openSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import type { StoredBlob } from "../../../ports/object-store.js";
import { blobCorrupt, blobMissing } from "./blob-errors.js";
import { ID_BYTES, parseBlobId } from "./blob-table.js";
import type { IndexState } from "./index-state.js";
import { packPath } from "./pack-builder.js";
import type { StoreContext } from "./store-context.js";

const WINDOW_BYTES = 8 * 1024 * 1024;
const WINDOW_BLOBS = 16 * 1024;
/** Blobs closer than this in one pack are read with one read (the gap is read and dropped). */
const GAP_BYTES = 64 * 1024;
const RUN_BYTES = 4 * 1024 * 1024;

interface Location {
  readonly id: string;
  readonly pack: string;
  /** The pack's number in the index state: what windows are sorted by. */
  readonly packNumber: number;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  readonly within: number;
}

/** Reads one blob's frame, checking its length and CRC-32; retries once after a prune moved it. */
export async function readBlob(ctx: StoreContext, id: string): Promise<StoredBlob> {
  const [blob] = await readWindow(ctx, [id]);
  return blob as StoredBlob;
}

/**
 * Reads blobs in windows: each window sorted by pack and offset, read in large runs into one
 * buffer reused from window to window (fresh buffers per run kept ~50 MiB more resident through
 * the allocator). A blob's `data` is therefore valid only until the next blob is asked for.
 */
export async function* readBlobs(
  ctx: StoreContext,
  ids: readonly string[],
): AsyncIterable<StoredBlob> {
  const buffer = { bytes: Buffer.allocUnsafeSlow(WINDOW_BYTES + RUN_BYTES) };
  await ctx.loaded();
  let start = 0;
  while (start < ids.length) {
    let end = start;
    let bytes = 0;
    const state = ctx.current();
    const key = Buffer.alloc(ID_BYTES);
    // Members of one frame share its bytes (read once per window): counted once.
    const frames = new Set<number>();
    while (end < ids.length && end - start < WINDOW_BLOBS && bytes < WINDOW_BYTES) {
      const index = state.table.find(parseBlobId(ids[end] as string, key));
      const frame = index >= 0 ? state.table.pack(index) * 2 ** 32 + state.table.offset(index) : -1;
      if (index >= 0 && !frames.has(frame)) {
        frames.add(frame);
        bytes += state.table.length(index);
      }
      end++;
    }
    const window = ids.slice(start, end);
    yield* await readWindow(ctx, window, buffer);
    start = end;
  }
}

/** Where a window's runs are read: `bytes` is used from its start and replaced when too small. */
interface ReadBuffer {
  bytes: Buffer;
}

async function readWindow(
  ctx: StoreContext,
  ids: readonly string[],
  buffer?: ReadBuffer,
): Promise<StoredBlob[]> {
  let state = await ctx.loaded();
  for (let attempt = 0; ; attempt++) {
    let locations = locate(state, ids);
    if (locations.some((l) => l === undefined)) {
      state = await ctx.refresh();
      locations = locate(state, ids);
    }
    const missing = locations.indexOf(undefined);
    if (missing >= 0) throw blobMissing(ids[missing] as string);
    try {
      return await readLocations(ctx.packsDir, locations as Location[], buffer);
    } catch (error) {
      const gone = (error as { gonePack?: string }).gonePack;
      if (gone === undefined) throw error;
      // The pack went away: a prune may have moved its blobs. Look again once.
      const next = await ctx.refresh();
      if (attempt > 0 || next === state) throw (error as { cause: unknown }).cause;
      state = next;
    }
  }
}

function locate(state: IndexState, ids: readonly string[]): (Location | undefined)[] {
  const key = Buffer.alloc(ID_BYTES);
  return ids.map((id) => {
    const index = state.table.find(parseBlobId(id, key));
    if (index < 0) return undefined;
    const packNumber = state.table.pack(index);
    return {
      id,
      pack: (state.packs[packNumber] as { id: string }).id,
      packNumber,
      offset: state.table.offset(index),
      length: state.table.length(index),
      crc: state.table.crc(index),
      within: state.table.within(index),
    };
  });
}

async function readLocations(
  packsDir: string,
  locations: readonly Location[],
  buffer: ReadBuffer | undefined,
): Promise<StoredBlob[]> {
  let used = 0;
  const before = (x: Location, y: Location): number =>
    x.packNumber - y.packNumber || x.offset - y.offset;
  const order = locations.map((_, i) => i);
  // A restore asks in file order, which is mostly pack order already: sort only when it is not.
  if (locations.some((l, i) => i > 0 && before(locations[i - 1] as Location, l as Location) > 0)) {
    order.sort((a, b) => before(locations[a] as Location, locations[b] as Location));
  }
  const out: StoredBlob[] = new Array(locations.length);
  let i = 0;
  while (i < order.length) {
    const first = locations[order[i] as number] as Location;
    const handle = await openPack(packsDir, first.pack, first.id);
    try {
      while (i < order.length && (locations[order[i] as number] as Location).pack === first.pack) {
        // One run: blobs of this pack close enough together to read at once.
        const runStart = (locations[order[i] as number] as Location).offset;
        let runEnd = runStart;
        let j = i;
        while (j < order.length) {
          const next = locations[order[j] as number] as Location;
          if (next.pack !== first.pack || next.offset > runEnd + GAP_BYTES) break;
          const end = Math.max(runEnd, next.offset + next.length);
          if (j > i && end - runStart > RUN_BYTES) break;
          runEnd = end;
          j++;
        }
        const length = runEnd - runStart;
        let run: Buffer;
        if (buffer === undefined) run = Buffer.allocUnsafe(length);
        else {
          // A window that outgrows the buffer (large frames) gets its own for the rest.
          if (used + length > buffer.bytes.length) {
            buffer.bytes = Buffer.allocUnsafeSlow(Math.max(length, buffer.bytes.length));
            used = 0;
          }
          run = buffer.bytes.subarray(used, used + length);
          used += length;
        }
        const { bytesRead } = await handle.read(run, 0, run.length, runStart);
        // Members of one frame share one view (and one CRC check), so callers decode it once.
        let last: { offset: number; length: number; data: Uint8Array } | undefined;
        for (; i < j; i++) {
          const position = order[i] as number;
          const location = locations[position] as Location;
          const at = location.offset - runStart;
          if (at + location.length > bytesRead) {
            throw blobCorrupt(
              location.id,
              location.pack,
              "the pack file is shorter than the index says",
            );
          }
          if (last?.offset !== location.offset || last.length !== location.length) {
            const data = run.subarray(at, at + location.length);
            if (crc32(data) !== location.crc) {
              throw blobCorrupt(location.id, location.pack, "its CRC-32 does not match the index");
            }
            last = { offset: location.offset, length: location.length, data };
          }
          out[position] = { id: location.id, data: last.data, within: location.within };
        }
      }
    } finally {
      await handle.close();
    }
  }
  return out;
}

/**
 * Opens a pack to read `blob` from. A pack that is gone throws an error marked `gonePack` (a
 * prune may have moved its blobs: the caller looks them up again) whose `cause` is BLOB_MISSING.
 */
export async function openPack(packsDir: string, pack: string, blob: string): Promise<FileHandle> {
  try {
    return await open(packPath(packsDir, pack), "r");
  } catch (error) {
    throw packGoneOr(error, pack, blob);
  }
}

/** openPack without the thread pool: a file descriptor, to close with closeSync. */
export function openPackSync(packsDir: string, pack: string, blob: string): number {
  try {
    return openSync(packPath(packsDir, pack), "r");
  } catch (error) {
    throw packGoneOr(error, pack, blob);
  }
}

function packGoneOr(error: unknown, pack: string, blob: string): unknown {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") return error;
  return Object.assign(new Error("pack gone"), {
    gonePack: pack,
    cause: blobMissing(blob, pack),
  });
}

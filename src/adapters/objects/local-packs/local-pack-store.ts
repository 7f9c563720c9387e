import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectStore } from "../../../ports/object-store.js";
import { readBlob, readBlobs } from "./blob-reader.js";
import { ID_BYTES, parseBlobId } from "./blob-table.js";
import { checkPacks } from "./check-packs.js";
import { locateFrames, readFrames } from "./frame-reader.js";
import { loadIndex } from "./index-loader.js";
import { type IndexState, loadIndexState, refreshIndexState } from "./index-state.js";
import { DEFAULT_PACK_SIZE, openPackWriter } from "./pack-writer.js";
import { prunePacks } from "./prune-packs.js";
import type { StoreContext } from "./store-context.js";
import { DEFAULT_LEASE_TTL_MS, LEASES_DIR, processAlive } from "./store-lease.js";

export interface LocalPackStoreOptions {
  /** How long a lease from another host counts as live (its pid cannot be probed). */
  readonly leaseTtlMs?: number;
  /** How long opening a writer waits for a running prune. */
  readonly lockWaitMs?: number;
  /** Pack size for the packs prune writes. */
  readonly packSize?: number;
}

/**
 * The embedded object store: `dir/packs/<2 hex>/<pack id>.pack` hold blobs, `dir/index/<id>.idx`
 * (one per committed writer) say where each blob is, `dir/leases/` and `dir/lock` coordinate
 * writers with prune. The whole index is held in memory in ~50-60 bytes per blob, loaded when a
 * call first needs it (or `prefetch` asks): a snapshot whose assets are all unchanged, or a
 * listing, never reads it (~150 ms for a 1 GiB database's 280,000 pages, on a worker thread when
 * built: index-loader.ts).
 */
export async function openLocalPackStore(
  dir: string,
  options: LocalPackStoreOptions = {},
): Promise<ObjectStore> {
  const packsDir = join(dir, "packs");
  const indexDir = join(dir, "index");
  for (const sub of [packsDir, indexDir, join(dir, LEASES_DIR)]) {
    await mkdir(sub, { recursive: true, mode: 0o700 });
  }
  let state: IndexState | undefined;
  // Leases taken (readAgain calls) and how many of them the index in memory was read after.
  let leases = 0;
  let readAfter = 0;
  let reading: Promise<IndexState> | undefined;
  const read = (): Promise<IndexState> => {
    reading ??= (async () => {
      const after = leases;
      try {
        state = state ? await refreshIndexState(state, indexDir) : await loadIndex(indexDir);
        readAfter = Math.max(readAfter, after);
        return state;
      } finally {
        reading = undefined; // a failed read is tried again by the next call
      }
    })();
    return reading;
  };
  /** The index in memory if it was read after every lease taken so far, without waiting. */
  const ready = (): IndexState | undefined => (state && readAfter >= leases ? state : undefined);
  /** The index in memory once it was read after every lease taken so far. */
  const loaded = async (): Promise<IndexState> => {
    const need = leases;
    for (;;) {
      if (state && readAfter >= need) return state;
      await read(); // a read already running may have begun before the last lease: check again
    }
  };
  /** A read that begins after this call: what is on disk now. */
  const refresh = async (): Promise<IndexState> => {
    await reading?.catch(() => undefined);
    return read();
  };
  const ctx: StoreContext = {
    dir,
    packsDir,
    indexDir,
    rules: {
      ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      lockWaitMs: options.lockWaitMs ?? 5 * 60 * 1000,
      now: () => new Date(),
      isAlive: processAlive,
    },
    current: () => {
      if (!state) throw new Error("the object store index was asked for before it was loaded");
      return state;
    },
    loaded,
    readAgain: () => {
      leases += 1;
    },
    refresh,
    replace: (next) => {
      state = next;
    },
  };
  const key = Buffer.alloc(ID_BYTES);

  return {
    writer: (writerOptions) => openPackWriter(ctx, writerOptions),
    prefetch() {
      // A failure here is met again, and reported, by the call that needs the index.
      if (!ready()) read().catch(() => undefined);
    },
    // Called once per chunk: no extra await when the index is ready.
    has: async (id) => (ready() ?? (await loaded())).table.find(parseBlobId(id, key)) >= 0,
    async lacking(ids) {
      if (ids.length % ID_BYTES !== 0) {
        throw new Error(`ids must be a multiple of ${ID_BYTES} bytes, got ${ids.length}`);
      }
      const { table } = ready() ?? (await loaded());
      const out = new Uint8Array(ids.length / ID_BYTES);
      for (let i = 0; i < out.length; i++) out[i] = table.find(ids, i * ID_BYTES) < 0 ? 1 : 0;
      return out;
    },
    get: (id) => readBlob(ctx, id),
    getMany: (ids) => readBlobs(ctx, ids),
    locateFrames: (ids) => locateFrames(ctx, ids),
    readFrames: (map, frames, into) => readFrames(ctx, map, frames, into),
    async *ids() {
      const current = await ctx.refresh();
      for (let i = 0; i < current.table.size; i++) yield current.table.idHex(i);
    },
    check: async () => {
      const fresh = await loadIndexState(indexDir);
      ctx.replace(fresh);
      return checkPacks(packsDir, fresh);
    },
    prune: (live) => prunePacks(ctx, live, options.packSize ?? DEFAULT_PACK_SIZE),
    stats: async () => {
      const current = await ctx.refresh();
      return {
        packs: current.packs.length,
        blobs: current.table.size,
        bytes: current.packs.reduce((sum, pack) => sum + pack.size, 0),
      };
    },
  } satisfies ObjectStore;
}

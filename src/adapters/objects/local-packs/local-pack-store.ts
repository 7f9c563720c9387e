import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectStore } from "../../../ports/object-store.js";
import { readBlob, readBlobs } from "./blob-reader.js";
import { ID_BYTES, parseBlobId } from "./blob-table.js";
import { checkPacks } from "./check-packs.js";
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
 * writers with prune. The whole index is held in memory in ~50-60 bytes per blob.
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
  let state: IndexState = await loadIndexState(indexDir);
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
    current: () => state,
    refresh: async () => {
      state = await refreshIndexState(state, indexDir);
      return state;
    },
    replace: (next) => {
      state = next;
    },
  };
  const key = Buffer.alloc(ID_BYTES);

  return {
    writer: (writerOptions) => openPackWriter(ctx, writerOptions),
    has: async (id) => state.table.find(parseBlobId(id, key)) >= 0,
    get: (id) => readBlob(ctx, id),
    getMany: (ids) => readBlobs(ctx, ids),
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

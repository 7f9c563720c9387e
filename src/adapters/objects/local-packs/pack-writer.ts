import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type {
  CommitResult,
  FrameMember,
  PackWriter,
  PackWriterOptions,
} from "../../../ports/object-store.js";
import { BlobTable, checkedId, ID_BYTES, parseBlobId } from "./blob-table.js";
import { writeFileDurably } from "./durable-file.js";
import { encodeIndex, indexFileName } from "./index-format.js";
import type { IndexState } from "./index-state.js";
import { memberSizes } from "./member-sizes.js";
import { type FinishedPack, PackBuilder, packPath } from "./pack-builder.js";
import type { MemberExtent } from "./pack-format.js";
import type { StoreContext } from "./store-context.js";
import { takeLease } from "./store-lease.js";

export const DEFAULT_PACK_SIZE = 32 * 1024 * 1024;
const MIN_PACK_SIZE = 4 * 1024;
const MAX_PACK_SIZE = 1024 * 1024 * 1024;

/**
 * A writer appends blobs into packs (each made durable as it fills, the last at commit) and at
 * commit writes one index file naming them all — the moment they become visible. Until then its
 * packs are unindexed garbage that abort (or a later prune) removes. Calls are serialised.
 */
export async function openPackWriter(
  ctx: StoreContext,
  options: PackWriterOptions = {},
): Promise<PackWriter> {
  const packSize = options.packSize ?? DEFAULT_PACK_SIZE;
  if (!Number.isInteger(packSize) || packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) {
    throw new Error(`packSize must be an integer from ${MIN_PACK_SIZE} to ${MAX_PACK_SIZE}`);
  }
  const lease = await takeLease(ctx.dir, ctx.rules);
  // Deduplicate against what is on disk once the lease is held, not at open: a prune may have run
  // since. Read when a blob is first added or looked up, not here: a snapshot whose assets are all
  // unchanged holds the lease and never reads the index.
  ctx.readAgain();

  const pending = new BlobTable();
  /** The packs written, by number: id and size only (their entries are in `pending`). */
  const packs: (Pick<FinishedPack, "id" | "size"> | undefined)[] = [];
  const scratch = Buffer.alloc(ID_BYTES);
  /** addFrame's parsed member ids and which of them are new, grown to the largest frame. */
  let ids = Buffer.alloc(ID_BYTES * 256);
  let isFresh = new Uint8Array(256);
  let builder: PackBuilder | undefined;
  let builderNumber = -1;
  let finishing: Promise<void> = Promise.resolve();
  let queue: Promise<unknown> = Promise.resolve();
  let status: "open" | "committed" | "aborted" | "failed" = "open";
  let bytes = 0;
  let indexPath: string | undefined;

  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const result = queue.then(step);
    queue = result.catch(() => undefined);
    return result;
  };

  /** Finishes the current pack in the background while the next one fills (one at a time). */
  const rotate = async (): Promise<void> => {
    // Wait for the previous pack first: if it failed, the current one is still `builder` and
    // clean-up discards it.
    await finishing;
    const full = builder as PackBuilder;
    const number = builderNumber;
    builder = undefined;
    finishing = full.finish().then((pack) => {
      // Not the pack's entries: kept for every pack until commit, they cost ~150 bytes a blob.
      packs[number] = { id: pack.id, size: pack.size };
    });
    finishing.catch(() => undefined);
  };

  const cleanUp = async (): Promise<void> => {
    await builder?.discard();
    builder = undefined;
    await finishing.catch(() => undefined);
    const committed = indexPath !== undefined && (await exists(indexPath));
    if (!committed) {
      for (const pack of packs) {
        if (pack !== undefined) await rm(packPath(ctx.packsDir, pack.id), { force: true });
      }
    }
    await lease.release();
  };

  const failing = async (error: unknown): Promise<never> => {
    status = "failed";
    await cleanUp();
    throw error;
  };

  const assertOpen = (): void => {
    if (status !== "open") throw new Error(`this pack writer is already ${status}`);
  };

  const addFrame = async (members: readonly FrameMember[], data: Uint8Array): Promise<number> => {
    assertOpen();
    let stored: IndexState;
    try {
      stored = await ctx.loaded();
    } catch (error) {
      return failing(error);
    }
    // Ids parsed once, into one buffer; a member is new unless stored or added before. Nothing
    // per blob is allocated: at 4 KiB a blob, a 1 GiB snapshot adds ~270,000 of them.
    if (isFresh.length < members.length) {
      ids = Buffer.allocUnsafe(members.length * ID_BYTES);
      isFresh = new Uint8Array(members.length);
    }
    let fresh = 0;
    for (let i = 0; i < members.length; i++) {
      const id = (members[i] as FrameMember).id;
      if (typeof id === "string") parseBlobId(id, ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES));
      else ids.set(checkedId(id), i * ID_BYTES);
      const isNew = stored.table.find(ids, i * ID_BYTES) < 0 && pending.find(ids, i * ID_BYTES) < 0;
      isFresh[i] = isNew ? 1 : 0;
      if (isNew) fresh++;
    }
    if (fresh === 0) return 0;
    try {
      if (
        builder !== undefined &&
        (builder.size + data.length > packSize || !builder.fits(data.length, fresh))
      ) {
        await rotate();
      }
      if (builder === undefined) {
        builder = await PackBuilder.create(ctx.packsDir);
        builderNumber = packs.length;
        packs.push(undefined);
      }
      // From the whole frame: a member's size runs to the next member, stored or not.
      const sizes = memberSizes(members, data);
      const crc = crc32(data);
      const offset = builder.size;
      const extents: MemberExtent[] = [];
      for (let i = 0; i < members.length; i++) {
        // A member twice in one frame is indexed once: the second find sees the first insert.
        if (isFresh[i] === 0 || pending.find(ids, i * ID_BYTES) >= 0) continue;
        const within = (members[i] as FrameMember).within;
        pending.insert(ids, i * ID_BYTES, builderNumber, offset, data.length, crc, within);
        extents.push({ within, size: sizes[i] as number });
      }
      await builder.appendFrame(data, crc, extents);
      bytes += data.length;
      return extents.length;
    } catch (error) {
      return failing(error);
    }
  };

  const commit = async (): Promise<CommitResult> => {
    assertOpen();
    try {
      if (builder !== undefined) await rotate();
      await finishing;
      if (pending.size > 0) {
        const finished = packs as Pick<FinishedPack, "id" | "size">[];
        const index = encodeIndex(finished, pending);
        const name = indexFileName(index);
        indexPath = join(ctx.indexDir, name);
        await writeFileDurably(indexPath, index);
        ctx.current().mergeTable(name, finished, pending);
      }
    } catch (error) {
      return failing(error);
    }
    status = "committed";
    await lease.release();
    return { blobs: pending.size, bytes, packs: packs.length };
  };

  const abort = async (): Promise<void> => {
    if (status !== "open") return;
    status = "aborted";
    await cleanUp();
  };

  return {
    add: (id, data) => serial(async () => (await addFrame([{ id, within: 0 }], data)) === 1),
    addFrame: (members, data) => serial(() => addFrame(members, data)),
    has: (id) =>
      pending.find(typeof id === "string" ? parseBlobId(id, scratch) : checkedId(id)) >= 0,
    commit: () => serial(commit),
    abort: () => serial(abort),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { PruneResult } from "../../../ports/object-store.js";
import { blobCorrupt } from "./blob-errors.js";
import { BlobTable } from "./blob-table.js";
import { blobsByPack } from "./check-packs.js";
import { syncDir, TMP_PREFIX, writeFileDurably } from "./durable-file.js";
import { encodeIndex, type IndexPack, indexFileName } from "./index-format.js";
import { type IndexState, loadIndexState } from "./index-state.js";
import { memberSizes } from "./member-sizes.js";
import { type FinishedPack, PackBuilder, packPath } from "./pack-builder.js";
import { decodeTrailer, PACK_MAGIC } from "./pack-format.js";
import type { StoreContext } from "./store-context.js";
import { takeLock } from "./store-lease.js";

/** A pack is rewritten when less than this share of its blob bytes is live. */
const REWRITE_BELOW_LIVE = 0.5;

/**
 * Garbage collection under the store lock (refused while any writer holds a lease). Crash order:
 * new packs, then the one new index naming every surviving blob, then the old index files, then
 * the old packs — so at every instant each index entry points at a complete pack.
 */
export async function prunePacks(
  ctx: StoreContext,
  live: ReadonlySet<string>,
  packSize: number,
): Promise<PruneResult> {
  const lock = await takeLock(ctx.dir, ctx.rules);
  try {
    const state = await loadIndexState(ctx.indexDir);
    const plan = planPrune(state, live);
    const orphans = await strayFiles(ctx.packsDir, state);
    if (plan.deleted.length + plan.rewritten.length + orphans.length === 0) {
      ctx.replace(state);
      return { packsDeleted: 0, packsRewritten: 0, bytesFreed: 0 };
    }

    const next = new BlobTable(state.table.size);
    const packs: IndexPack[] = [];
    const numbers = new Map<number, number>();
    for (let i = 0; i < state.table.size; i++) {
      const p = state.table.pack(i);
      if (plan.decision[p] !== "keep") continue;
      let number = numbers.get(p);
      if (number === undefined) {
        number = packs.length;
        numbers.set(p, number);
        packs.push(state.packs[p] as IndexPack);
      }
      const t = state.table;
      next.insert(t.idBytes(i), 0, number, t.offset(i), t.length(i), t.crc(i), t.within(i));
    }
    const written = await repack(ctx.packsDir, state, plan, packSize, next, packs);

    try {
      if (next.size > 0) {
        const index = encodeIndex(packs, next);
        const name = indexFileName(index);
        await writeFileDurably(join(ctx.indexDir, name), index);
        for (const old of state.files) {
          if (old !== name) await rm(join(ctx.indexDir, old), { force: true });
        }
      } else {
        for (const old of state.files) await rm(join(ctx.indexDir, old), { force: true });
      }
      await syncDir(ctx.indexDir);
    } catch (error) {
      for (const pack of written) await rm(packPath(ctx.packsDir, pack.id), { force: true });
      throw error;
    }

    let freed = -written.reduce((sum, pack) => sum + pack.size, 0);
    for (const p of [...plan.deleted, ...plan.rewritten]) {
      const pack = state.packs[p] as IndexPack;
      await rm(packPath(ctx.packsDir, pack.id), { force: true });
      freed += pack.size;
    }
    for (const orphan of orphans) {
      freed += orphan.size;
      await rm(orphan.path, { force: true });
    }
    ctx.replace(await loadIndexState(ctx.indexDir));
    return {
      packsDeleted: plan.deleted.length + orphans.filter((o) => o.path.endsWith(".pack")).length,
      packsRewritten: plan.rewritten.length,
      bytesFreed: freed,
    };
  } finally {
    await lock.release();
  }
}

interface PrunePlan {
  readonly decision: ("keep" | "delete" | "rewrite")[];
  readonly deleted: number[];
  readonly rewritten: number[];
  readonly liveEntries: Uint8Array;
}

function planPrune(state: IndexState, live: ReadonlySet<string>): PrunePlan {
  const { table, packs } = state;
  const liveBytes = new Float64Array(packs.length);
  const liveEntries = new Uint8Array(table.size);
  for (let i = 0; i < table.size; i++) {
    if (!live.has(table.idHex(i))) continue;
    liveEntries[i] = 1;
    const p = table.pack(i);
    liveBytes[p] = (liveBytes[p] as number) + table.length(i);
  }
  const decision = packs.map((pack, p) => {
    const bytes = liveBytes[p] as number;
    if (bytes === 0) return "delete" as const;
    return bytes < pack.blobBytes * REWRITE_BELOW_LIVE ? ("rewrite" as const) : ("keep" as const);
  });
  return {
    decision,
    deleted: decision.flatMap((d, p) => (d === "delete" ? [p] : [])),
    rewritten: decision.flatMap((d, p) => (d === "rewrite" ? [p] : [])),
    liveEntries,
  };
}

/** Copies the live blobs of the packs to rewrite into new packs, adding them to `next`/`packs`. */
async function repack(
  packsDir: string,
  state: IndexState,
  plan: PrunePlan,
  packSize: number,
  next: BlobTable,
  packs: IndexPack[],
): Promise<FinishedPack[]> {
  const written: FinishedPack[] = [];
  if (plan.rewritten.length === 0) return written;
  const byPack = blobsByPack(state);
  const { table } = state;
  let builder: PackBuilder | undefined;
  const finish = async (): Promise<void> => {
    if (builder === undefined) return;
    const pack = await builder.finish();
    builder = undefined;
    written.push(pack);
    const number = packs.length;
    packs.push(pack);
    for (const entry of pack.entries) {
      next.insert(entry.id, 0, number, entry.offset, entry.length, entry.crc, entry.within);
    }
  };
  try {
    for (const p of plan.rewritten) {
      const pack = (state.packs[p] as IndexPack).id;
      const bytes = await readFile(packPath(packsDir, pack));
      const recorded = trailerMembers(bytes);
      // A frame is copied whole (its compressed bytes cannot be split) with its live members.
      for (const frame of framesOf(table, byPack[p] as number[])) {
        const members = frame.filter((i) => plan.liveEntries[i] === 1);
        const first = members[0];
        if (first === undefined) continue;
        const data = bytes.subarray(table.offset(first), table.offset(first) + table.length(first));
        if (data.length !== table.length(first) || crc32(data) !== table.crc(first)) {
          throw blobCorrupt(
            table.idHex(first),
            pack,
            "CRC-32 mismatch while repacking; nothing was pruned",
          );
        }
        if (builder !== undefined && builder.size + data.length > packSize) await finish();
        builder ??= await PackBuilder.create(packsDir);
        const listed =
          recorded.get(table.offset(first)) ?? frame.map((i) => ({ within: table.within(i) }));
        const sizes = sizesByWithin(listed, data);
        await builder.addFrame(
          members.map((i) => ({
            id: table.idBytes(i),
            within: table.within(i),
            // 0 only where the trailer disagrees with the index: only a rebuild would miss it.
            size: sizes.get(table.within(i)) ?? 0,
          })),
          data,
        );
      }
    }
    await finish();
    return written;
  } catch (error) {
    await builder?.discard();
    for (const pack of written) await rm(packPath(packsDir, pack.id), { force: true });
    throw error;
  }
}

type ListedMember = { readonly within: number; readonly size?: number };

/**
 * The members a pack's trailer lists for each frame, by frame offset: with their sizes (SSPACK03)
 * or without (SSPACK02). Empty when the trailer is damaged; the index's members stand in then.
 */
function trailerMembers(pack: Buffer): Map<number, readonly ListedMember[]> {
  const trailer = decodeTrailer(pack);
  if ("problem" in trailer) return new Map();
  if (trailer.format === PACK_MAGIC) {
    return new Map(trailer.frames.map((frame) => [frame.offset, frame.members]));
  }
  const byOffset = new Map<number, ListedMember[]>();
  for (const entry of trailer.entries) {
    const listed = byOffset.get(entry.offset);
    if (listed === undefined) byOffset.set(entry.offset, [entry]);
    else listed.push(entry);
  }
  return byOffset;
}

/**
 * Each listed member's size by `within`: as recorded, else inferred from the members listed (an
 * over-estimate when the frame held a member that was stored elsewhere already).
 */
function sizesByWithin(listed: readonly ListedMember[], frame: Uint8Array): Map<number, number> {
  const inferred = memberSizes(listed, frame);
  return new Map(listed.map((m, k) => [m.within, m.size ?? (inferred[k] as number)]));
}

/** Entry indexes (in offset order) grouped by the frame they share. */
function framesOf(table: BlobTable, entries: readonly number[]): number[][] {
  const frames: number[][] = [];
  for (const i of entries) {
    const last = frames.at(-1);
    const head = last?.[0];
    if (
      last !== undefined &&
      head !== undefined &&
      table.offset(head) === table.offset(i) &&
      table.length(head) === table.length(i)
    ) {
      last.push(i);
    } else frames.push([i]);
  }
  return frames;
}

/** Pack files no index names and temp files: left by killed writers (no lease is live now). */
async function strayFiles(
  packsDir: string,
  state: IndexState,
): Promise<{ path: string; size: number }[]> {
  const stray: { path: string; size: number }[] = [];
  const consider = async (path: string, name: string): Promise<void> => {
    const known = name.endsWith(".pack") && state.packNumbers.has(name.slice(0, -5));
    if (known || !(name.startsWith(TMP_PREFIX) || name.endsWith(".pack"))) return;
    stray.push({ path, size: (await stat(path)).size });
  };
  for (const entry of await readdir(packsDir, { withFileTypes: true })) {
    const path = join(packsDir, entry.name);
    if (!entry.isDirectory()) {
      await consider(path, entry.name);
      continue;
    }
    for (const name of await readdir(path)) await consider(join(path, name), name);
  }
  return stray;
}

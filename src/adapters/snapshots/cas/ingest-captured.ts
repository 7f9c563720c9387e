import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ObjectStore } from "../../../ports/object-store.js";
import type { Progress } from "../../../ports/progress.js";
import type { AssetManifest, FileSource, SnapshotFile } from "../../../ports/state-asset.js";
import type { Codec } from "../../codec/codec.js";
import { CHUNK_ID_BYTES, type CodecTaskResult, idHex } from "../../codec/codec-task.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import {
  type AssetBlock,
  assetBlocks,
  checkedDigest,
  READ_AHEAD_FILES,
  sourceChanged,
} from "./asset-blocks.js";
import type { ChunkLists } from "./cas-documents.js";
import type { ChunkList } from "./chunk-list.js";
import { ChunkSink } from "./chunk-sink.js";
import {
  BLOCK_BUFFER_BYTES,
  type BlockBuffers,
  type BufferClass,
  blockBufferPools,
  plainFileSource,
} from "./file-chunks.js";
import { FrameWriter, STREAM_FRAME_BYTES } from "./frame-writer.js";

/** Blocks hashed ahead of the one being deduplicated: keeps the workers busy. */
const HASH_AHEAD = 6;
/**
 * More blocks, up to HASH_AHEAD_MAX, are hashed ahead while all of them hold at most
 * HASH_AHEAD_BYTES (six full blocks): blocks of small files are small and quick, and six of them
 * left the workers waiting for the next (2,000 files of ~100 KiB: 1.9 s -> 1.7 s).
 */
const HASH_AHEAD_MAX = 32;
const HASH_AHEAD_BYTES = HASH_AHEAD * BLOCK_BUFFER_BYTES;
/**
 * Assets stored at once: the next one starts while the one before is stored, so one asset's
 * per-file work here (small files: open, read, hash) fills the gaps the workers would leave.
 */
const CONCURRENT_ASSETS = 2;
/**
 * Buffers of the blocks of files read whole (below READ_SIZE), which go to one task each: plain
 * buffers, moved to a worker and back. Larger files' blocks are shared, as two workers read each.
 * Kept spares cover the blocks that can be in flight at once (HASH_AHEAD_MAX hashed ahead, by
 * bytes; READ_AHEAD_FILES read ahead): fewer made 1 MiB buffers churn (+75 MiB resident).
 */
const OWN_BUFFERS: readonly BufferClass[] = [
  { bytes: 256 * 1024, keep: HASH_AHEAD_MAX + READ_AHEAD_FILES + 2 },
  { bytes: 1024 * 1024 + 1, keep: 40 },
  { bytes: BLOCK_BUFFER_BYTES, keep: 4 },
];

/** An asset ready to be stored: its manifest and a way to read each of its files once. */
export interface CapturedAsset {
  readonly manifest: AssetManifest;
  openFile(path: string): Promise<FileSource>;
  /** Lets the live asset go, if it was held for the reading (called once it is stored). */
  release?(): Promise<void>;
}

/** An asset captured into `dir/<asset>/`. */
export function capturedInDir(dir: string, manifest: AssetManifest): CapturedAsset {
  return { manifest, openFile: (path) => plainFileSource(join(dir, manifest.name, path)) };
}

/** What storing captured assets produced: the chunk lists, and the manifests with every digest. */
export interface Ingested {
  readonly lists: ChunkLists;
  readonly assets: AssetManifest[];
}

/**
 * Chunks every file of `assets` into the object store and returns the chunk lists; releases each
 * asset once it is stored. A file's sha256 is computed on the way: filled in where capture left it
 * empty, checked where capture recorded one. Blocks of chunks are hashed on the task runner while earlier ones are
 * deduplicated here; new chunks are gathered into frames, compressed on the runner and appended. The
 * writer commits (packs durable and indexed) before this returns, or aborts on any error.
 */
export async function ingestCaptured(
  deps: { objects: ObjectStore; runner: TaskRunner; codec: Codec },
  assets: Iterable<CapturedAsset> | AsyncIterable<CapturedAsset>,
  progress: Progress | undefined,
): Promise<Ingested> {
  const { objects, runner, codec } = deps;
  const writer = await objects.writer();
  const frames = new FrameWriter(writer, runner);
  const sink = new ChunkSink(objects, frames, HASH_AHEAD + 2);
  const pools = blockBufferPools({
    own: OWN_BUFFERS,
    shared: [{ bytes: BLOCK_BUFFER_BYTES, keep: HASH_AHEAD + 2 }],
  });
  const context: StoreContext = {
    runner,
    codec,
    sink,
    pools,
    progress,
    aheadBytes: 0,
    stopped: false,
  };
  const lists: ChunkLists = {};
  const stored: AssetManifest[] = [];
  const storing = new Set<Promise<unknown>>();
  try {
    let index = 0;
    for await (const captured of assets) {
      const at = index++;
      // No prototype: a file may be named "__proto__".
      const files: Record<string, ChunkList> = Object.create(null);
      lists[captured.manifest.name] = files;
      const done: Promise<unknown> = storeAsset(context, captured, files).then((manifest) => {
        stored[at] = manifest;
        storing.delete(done);
      });
      done.catch(() => {
        context.stopped = true; // the other assets being stored stop at their next block
      });
      storing.add(done);
      while (storing.size >= CONCURRENT_ASSETS) await Promise.race(storing);
    }
    await Promise.all(storing);
    await frames.flush();
    await writer.commit();
    return { lists, assets: stored };
  } catch (error) {
    context.stopped = true;
    await Promise.allSettled(storing);
    await frames.flush().catch(() => undefined);
    await writer.abort();
    throw error;
  }
}

/** What the assets being stored at once share. */
interface StoreContext {
  readonly runner: TaskRunner;
  readonly codec: Codec;
  readonly sink: ChunkSink;
  readonly pools: { shared: BlockBuffers; own: BlockBuffers };
  readonly progress: Progress | undefined;
  /** Buffer bytes of the blocks hashed ahead, of every asset being stored. */
  aheadBytes: number;
  /** Set when storing an asset failed: the others stop. */
  stopped: boolean;
}

/**
 * Stores one asset's files (their chunk lists into `files`) and returns its manifest with every
 * digest; releases the asset once it is stored.
 */
async function storeAsset(
  context: StoreContext,
  captured: CapturedAsset,
  files: Record<string, ChunkList>,
): Promise<AssetManifest> {
  const { runner, codec, sink, pools, progress } = context;
  const asset = captured.manifest;
  const step = `store ${asset.name}`;
  progress?.report({ type: "step-started", step, detail: `${asset.size} bytes` });
  let done = 0;
  const digests: SnapshotFile[] = [];
  // Blocks of every file of the asset in one stream, hashed ahead of the one taken here, so
  // many small files keep the workers as busy as one large file.
  // `bytes`: its buffer's size, taken before the buffer may be moved to a worker.
  const hashed: {
    hashing: Promise<{ result: CodecTaskResult; block: AssetBlock }>;
    bytes: number;
  }[] = [];
  // Whether a large file's next block is framed and compressed on the worker with its hashing
  // (one pass, nothing copied here), betting that its chunks are new. Decided by the share of
  // new chunks in the block taken last: true for a new file, false for an updated database.
  let speculate = false;
  const take = async (): Promise<void> => {
    const { hashing, bytes } = hashed.shift() as (typeof hashed)[number];
    context.aheadBytes -= bytes;
    const { result, block } = await hashing;
    const { file } = block;
    const cuts = result.cuts ?? block.cuts;
    if (result.streamDigest !== undefined) file.digest = result.streamDigest;
    const length = cuts.at(-1) ?? 0;
    if (length > 0) {
      if (file.stream === undefined) {
        // A file that is one chunk has that chunk's sha256 as its digest already.
        if (block.first && block.last && cuts.length === 1 && codec.options.hash === "sha256") {
          file.digest = idHex(result.ids, 0);
        } else {
          file.whole ??= createHash("sha256");
          file.whole.update(result.data.subarray(0, length));
        }
      }
      const fresh = await sink.store(result, cuts);
      if (file.stream !== undefined && !(block.first && block.last)) {
        speculate = fresh * 2 >= cuts.length;
      }
      file.refs.pushCuts(result.ids, cuts);
      // The list's hash goes along (a few milliseconds a block), not all at the file's end.
      file.refs.hashSoFar();
      done += length;
      progress?.report({ type: "bytes", step, done, total: asset.size });
    }
    pools.shared.give(result.data);
    if (block.last) {
      files[file.entry.path] = file.refs;
      digests.push(checkedDigest(asset.name, file));
    }
  };
  try {
    for await (const block of assetBlocks(captured, pools)) {
      if (context.stopped) break;
      const task = { data: block.data, cuts: block.cuts, hash: true };
      const bytes = block.data.byteLength;
      const id = block.file.stream;
      if (!(block.first && block.last) && !(block.data.buffer instanceof SharedArrayBuffer)) {
        // Listed small enough to be read whole, yet it needs more blocks: it grew while read.
        throw sourceChanged(asset.name, block.file.entry.path);
      }
      let result: Promise<CodecTaskResult>;
      if (id === undefined) result = Promise.resolve(hashHere(codec, task));
      else if (block.first && block.last) {
        // A file in one block: one task hashes its chunks and the whole of it.
        ({ result } = await runner.submit({
          ...task,
          ...(block.byContent ? { cutByContent: true } : {}),
          stream: { id, first: true, last: true },
          affinity: id,
        }));
      } else {
        // The file's running sha256 must see its blocks in order on one thread; the chunks'
        // hashes need not: they go to whichever worker is free, reading the same shared block,
        // so one large file keeps both workers busy.
        const streaming = await runner.submit({
          ...task,
          hash: false,
          stream: { id, first: block.first, last: block.last },
          affinity: id,
        });
        const hashing = await runner.submit(
          speculate
            ? { ...task, framing: "frames", frameBytes: STREAM_FRAME_BYTES, out: sink.outBuffer() }
            : task,
        );
        result = Promise.all([hashing.result, streaming.result]).then(([hashes, stream]) =>
          stream.streamDigest === undefined
            ? hashes
            : { ...hashes, streamDigest: stream.streamDigest },
        );
      }
      const next = result.then((r) => ({ result: r, block }));
      next.catch(() => undefined); // awaited in order by take(); not unhandled meanwhile
      hashed.push({ hashing: next, bytes });
      context.aheadBytes += bytes;
      while (
        hashed.length > HASH_AHEAD_MAX ||
        (hashed.length > HASH_AHEAD && context.aheadBytes > HASH_AHEAD_BYTES)
      ) {
        await take();
      }
    }
    if (context.stopped) throw new Error(`storing ${asset.name} stopped: another asset failed`);
    while (hashed.length > 0) await take();
  } catch (error) {
    // Every task submitted settles before the asset's buffers may be reused or the writer aborts.
    await Promise.allSettled(hashed.map((h) => h.hashing));
    throw error;
  }
  await captured.release?.();
  progress?.report({ type: "step-finished", step, status: "succeeded" });
  return { ...asset, files: digests };
}

/** Hashes a small block's chunks on this thread. */
function hashHere(
  codec: Codec,
  task: { data: Uint8Array; cuts: readonly number[] },
): CodecTaskResult {
  const ids = new Uint8Array(task.cuts.length * CHUNK_ID_BYTES);
  let start = 0;
  for (const [i, end] of task.cuts.entries()) {
    codec.digestInto(task.data.subarray(start, end), ids, i * CHUNK_ID_BYTES);
    start = end;
  }
  return { data: task.data, ids, compressed: [] };
}

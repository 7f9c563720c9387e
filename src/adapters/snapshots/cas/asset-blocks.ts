import { createHash, type Hash } from "node:crypto";
import { ShipsafeError } from "../../../domain/errors.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import { newStreamId } from "../../codec/codec-task.js";
import { ChunkList } from "./chunk-list.js";
import {
  BLOCK_BUFFER_BYTES,
  type BlockBuffers,
  type ChunkBlock,
  fileBlocks,
  READ_SIZE,
} from "./file-chunks.js";
import type { CapturedAsset } from "./ingest-captured.js";

// The blocks of an asset's files on their way to the store (ingest-captured.ts), and each file's
// digest once its last block is stored.

/**
 * Smaller files are hashed on the main thread (ingest-captured.ts): a worker round trip would cost
 * more, and they are one chunk (the content-defined chunker cuts nothing before 16 KiB). A larger
 * file goes to a worker, which also cuts it (when it fits one block) and keeps its running sha256
 * off the main thread: cutting and hashing 2,000 files of ~100 KiB there held the workers ~50% idle.
 */
const HASH_HERE_BELOW = 16 * 1024;
/** Files whose first block is read while earlier files are stored: hides each open's latency. */
export const READ_AHEAD_FILES = 16;
/** ...as long as their first blocks hold at most this many bytes. */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

/**
 * A file being stored: its entry in the captured manifest, its chunks so far, and its sha256 —
 * its one chunk's id, or hashed on the main thread (small files), or by the worker its running hash is kept on
 * (`stream`), which hands back `digest` with the last block.
 */
export interface FileInProgress {
  readonly entry: SnapshotFile;
  readonly refs: ChunkList;
  /** Created when a block of a file hashed on the main thread needs it (not a one-chunk file). */
  whole?: Hash;
  readonly stream: number | undefined;
  digest?: string;
}

export interface AssetBlock {
  readonly file: FileInProgress;
  readonly data: Uint8Array;
  readonly cuts: readonly number[];
  /** The whole file, still to be cut by content (ChunkBlock.byContent). */
  readonly byContent?: boolean;
  readonly first: boolean;
  /** The file's last block (an empty file has one, empty). */
  readonly last: boolean;
}

/** The blocks of every file of an asset, in order; the next files are opened and read ahead. */
export async function* assetBlocks(
  asset: CapturedAsset,
  pools: { shared: BlockBuffers; own: BlockBuffers },
): AsyncGenerator<AssetBlock> {
  const entries = asset.manifest.files;
  const ahead: {
    entry: SnapshotFile;
    blocks: AsyncGenerator<ChunkBlock>;
    first: Promise<unknown>;
  }[] = [];
  let aheadBytes = 0;
  let next = 0;
  const firstBytes = (entry: SnapshotFile) => Math.min(entry.size + 1, BLOCK_BUFFER_BYTES);
  const readAhead = () => {
    while (
      next < entries.length &&
      (ahead.length === 0 ||
        (ahead.length < READ_AHEAD_FILES &&
          aheadBytes + firstBytes(entries[next] as SnapshotFile) <= READ_AHEAD_BYTES))
    ) {
      const entry = entries[next++] as SnapshotFile;
      const blocks = (async function* () {
        // A small file's buffer is its own (moved to a worker and back, or hashed here); a
        // larger file's blocks are shared with the workers.
        const source = await asset.openFile(entry.path);
        yield* fileBlocks(source, entry.size, entry.size < READ_SIZE ? pools.own : pools.shared, {
          deferContentCuts: entry.size >= HASH_HERE_BELOW,
        });
      })();
      const first = blocks.next();
      first.catch(() => undefined); // awaited in turn below; not unhandled meanwhile
      ahead.push({ entry, blocks, first });
      aheadBytes += firstBytes(entry);
    }
  };
  try {
    for (readAhead(); ahead.length > 0; readAhead()) {
      const { entry, blocks, first } = ahead.shift() as (typeof ahead)[number];
      aheadBytes -= firstBytes(entry);
      const stream = entry.size >= HASH_HERE_BELOW ? newStreamId() : undefined;
      // Sized for a database cut at 4 KiB pages; other files have fewer, larger chunks.
      const refs = new ChunkList(Math.min(Math.ceil(entry.size / 4096) + 1, 1 << 20));
      const file: FileInProgress = { entry, refs, stream };
      let previous: ChunkBlock | undefined;
      let isFirst = true;
      let result = (await first) as IteratorResult<ChunkBlock>;
      for (; !result.done; result = await blocks.next()) {
        if (previous) {
          yield { file, ...previous, first: isFirst, last: false };
          isFirst = false;
        }
        previous = result.value;
        // The files after this one start reading once its first block is in.
        readAhead();
      }
      yield {
        file,
        ...(previous ?? { data: new Uint8Array(0), cuts: [] }),
        first: isFirst,
        last: true,
      };
    }
  } finally {
    // Stopped early (an error): close the files opened ahead.
    for (const { blocks, first } of ahead.splice(0)) {
      await first.catch(() => undefined);
      await blocks.return(undefined).catch(() => undefined);
    }
  }
}

/** The file's digest as stored; refuses a copy that differs from what capture recorded. */
export function checkedDigest(asset: string, file: FileInProgress): SnapshotFile {
  const here = () => (file.whole ?? createHash("sha256")).digest("hex"); // none: an empty file
  const sha256 = file.digest ?? (file.stream === undefined ? here() : undefined);
  if (sha256 === undefined) throw new Error(`no digest came back for ${asset}/${file.entry.path}`);
  const chunks = file.refs.hash();
  const size = file.refs.totalBytes;
  const { entry } = file;
  if (
    (entry.sha256 !== "" && sha256 !== entry.sha256) ||
    (entry.chunks !== undefined && chunks !== entry.chunks) ||
    size !== entry.size
  ) {
    throw sourceChanged(asset, entry.path);
  }
  return { ...entry, sha256, chunks };
}

export function sourceChanged(asset: string, path: string): ShipsafeError {
  return new ShipsafeError({
    code: "SNAPSHOT_SOURCE_CHANGED",
    kind: "runtime",
    message: `${asset}/${path} changed while it was being stored`,
    hint: "take the snapshot again",
  });
}

import { join } from "node:path";
import type { FrameMap } from "../../../ports/object-store.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import type { DecodeToFilesTask } from "../../codec/decode-to-files-task.js";
import type { ChunkLists } from "./cas-documents.js";
import { corrupt } from "./cas-errors.js";
import type { ChunkList } from "./chunk-list.js";

// What a restore does, worked out before anything is read: the files, every chunk's place, the
// frames each chunk is in, the order frames are restored in and the task for a run of them. No
// I/O here (materialize.ts does it).

const ID_BYTES = 32;

/** A file to restore and where its chunks are in the flat arrays of all chunks. */
export interface RestoreTarget {
  readonly name: string;
  readonly entry: SnapshotFile;
  readonly refs: ChunkList;
  readonly path: string;
  readonly tmp: string;
  /** Bytes still to be written; the file is finished (sized, fsynced) when it reaches 0. */
  remaining: number;
}

/** Every file of the snapshot; a list that does not match the manifest fails before any write. */
export function targetsOf(
  manifest: SnapshotManifest,
  lists: ChunkLists,
  dir: string,
): RestoreTarget[] {
  const problems: string[] = [];
  const targets: RestoreTarget[] = [];
  for (const asset of manifest.assets) {
    for (const entry of asset.files) {
      const name = `${asset.name}/${entry.path}`;
      const refs = lists[asset.name]?.[entry.path];
      if (!refs) {
        problems.push(`no chunk list for ${name}`);
        continue;
      }
      if (entry.chunks !== undefined && refs.hash() !== entry.chunks) {
        problems.push(`${name} has a chunk list that does not match its manifest`);
      }
      const path = join(dir, asset.name, entry.path);
      targets.push({
        name,
        entry,
        refs,
        path,
        tmp: `${path}.tmp-${process.pid}`,
        remaining: refs.totalBytes,
      });
    }
  }
  if (problems.length > 0) throw corrupt(manifest.id, problems);
  return targets;
}

/** Every chunk of every file in flat arrays: its id, length, file and offset in the file. */
export function chunkTable(targets: readonly RestoreTarget[]) {
  let count = 0;
  for (const t of targets) count += t.refs.count;
  const ids = new Uint8Array(count * ID_BYTES);
  const lengths = new Uint32Array(count);
  const fileOf = new Uint32Array(count);
  const offsetOf = new Float64Array(count);
  let blob = 0;
  targets.forEach((t, file) => {
    const arrays = t.refs.arrays();
    ids.set(arrays.ids, blob * ID_BYTES);
    lengths.set(arrays.lengths, blob);
    let offset = 0;
    for (let i = 0; i < t.refs.count; i++, blob++) {
      fileOf[blob] = file;
      offsetOf[blob] = offset;
      offset += arrays.lengths[i] as number;
    }
  });
  return {
    ids,
    lengths,
    fileOf,
    offsetOf,
    idHex: (b: number): string =>
      Buffer.from(ids.buffer, ids.byteOffset + b * ID_BYTES, ID_BYTES).toString("hex"),
  };
}
export type Chunks = ReturnType<typeof chunkTable>;

/** The blobs of each frame, in the order asked (a counting sort on the frame numbers). */
export function piecesByFrame(map: FrameMap): { first: Uint32Array; blobs: Uint32Array } {
  const first = new Uint32Array(map.frames + 1);
  for (const frame of map.frameOf) first[frame + 1] = (first[frame + 1] as number) + 1;
  for (let f = 0; f < map.frames; f++)
    first[f + 1] = (first[f + 1] as number) + (first[f] as number);
  const cursor = first.slice(0, map.frames);
  const blobs = new Uint32Array(map.frameOf.length);
  map.frameOf.forEach((frame, blob) => {
    const at = cursor[frame] as number;
    blobs[at] = blob;
    cursor[frame] = at + 1;
  });
  return { first, blobs };
}

/**
 * The order frames are restored in: those of the largest file first, each file's in storage order,
 * so the largest file is finished (and its fsync, the longest, runs) while the others are written.
 */
export function frameOrder(
  map: FrameMap,
  byFrame: { first: Uint32Array; blobs: Uint32Array },
  chunks: Chunks,
  targets: readonly RestoreTarget[],
): Uint32Array {
  const bySize = targets.map((_, i) => i);
  bySize.sort(
    (a, b) => (targets[b] as RestoreTarget).remaining - (targets[a] as RestoreTarget).remaining,
  );
  const rank = new Uint32Array(targets.length);
  bySize.forEach((file, r) => {
    rank[file] = r;
  });
  // Per frame: the best rank of a file it holds pieces of.
  const key = new Float64Array(map.frames);
  for (let f = 0; f < map.frames; f++) {
    let best = targets.length;
    for (let p = byFrame.first[f] as number; p < (byFrame.first[f + 1] as number); p++) {
      best = Math.min(best, rank[chunks.fileOf[byFrame.blobs[p] as number] as number] as number);
    }
    key[f] = best * 2 ** 32 + f;
  }
  key.sort();
  return Uint32Array.from(key, (k) => k % 2 ** 32);
}

/** The task for `frames` read into `input` in that order, and the bytes it writes per file. */
export function taskOf(
  map: FrameMap,
  byFrame: { first: Uint32Array; blobs: Uint32Array },
  chunks: Chunks,
  targets: readonly RestoreTarget[],
  frames: Uint32Array,
  input: Uint8Array,
): {
  task: DecodeToFilesTask;
  /** Per piece of the task: which chunk of the chunk table it is. */
  blobs: Uint32Array;
  bytesPerFile: Map<number, number>;
} {
  let count = 0;
  for (const f of frames) count += (byFrame.first[f + 1] as number) - (byFrame.first[f] as number);
  const pieces = new Uint32Array(count * 3);
  const ids = new Uint8Array(count * ID_BYTES);
  const placed = new Float64Array(count * 2);
  const blobs = new Uint32Array(count);
  const frameEnds: number[] = [];
  const paths: string[] = [];
  const local = new Map<number, number>();
  const bytesPerFile = new Map<number, number>();
  let at = 0;
  let filled = 0;
  for (const [i, f] of frames.entries()) {
    at += map.storedBytes[f] as number;
    frameEnds.push(at);
    for (let q = byFrame.first[f] as number; q < (byFrame.first[f + 1] as number); q++) {
      blobs[filled] = byFrame.blobs[q] as number;
      pieces[filled * 3] = i;
      filled++;
    }
  }
  for (let p = 0; p < count; p++) {
    const blob = blobs[p] as number;
    const length = chunks.lengths[blob] as number;
    pieces[p * 3 + 1] = map.within[blob] as number;
    pieces[p * 3 + 2] = length;
    ids.set(chunks.ids.subarray(blob * ID_BYTES, (blob + 1) * ID_BYTES), p * ID_BYTES);
    const file = chunks.fileOf[blob] as number;
    let index = local.get(file);
    if (index === undefined) {
      index = paths.length;
      local.set(file, index);
      paths.push((targets[file] as RestoreTarget).tmp);
    }
    placed[p * 2] = index;
    placed[p * 2 + 1] = chunks.offsetOf[blob] as number;
    bytesPerFile.set(file, (bytesPerFile.get(file) ?? 0) + length);
  }
  const task: DecodeToFilesTask = {
    kind: "decode-to-files",
    data: input.subarray(0, at),
    frameEnds,
    pieces,
    ids,
    targets: placed,
    paths,
  };
  return { task, blobs, bytesPerFile };
}

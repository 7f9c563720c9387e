import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { FrameMap, ObjectStore } from "../../../ports/object-store.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import type { DecodeToFilesTask } from "../../codec/decode-to-files-task.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import { fsyncPath } from "../../local-fs/fsync.js";
import type { ChunkLists } from "./cas-documents.js";
import { corrupt, throwRestoreDiskFull } from "./cas-errors.js";
import type { ChunkList } from "./chunk-list.js";

const ID_BYTES = 32;
/** Stored bytes of the frames one task decodes and writes. */
const TASK_STORED_BYTES = 2 * 1024 * 1024;
/** Tasks decoding at once (two per worker on two cores), each with its input buffer. */
const TASKS_IN_FLIGHT = 4;
/** fsyncs, renames and file creations in flight at once (the file system commits fsyncs together). */
const FS_CONCURRENCY = 32;

/** A file to restore and where its chunks are in the flat arrays of all chunks. */
interface Target {
  readonly name: string;
  readonly entry: SnapshotFile;
  readonly refs: ChunkList;
  readonly path: string;
  readonly tmp: string;
  /** Bytes still to be written; the file is finished (sized, fsynced) when it reaches 0. */
  remaining: number;
}

/**
 * Writes every file of a snapshot in plain form under `dir/<asset>/<path>`, checking every chunk
 * against its id and every file's chunk list against the manifest (before anything is written).
 * Frames are read in the order they are stored and each is decoded once, on the task runner, which
 * writes its pieces straight to their places in the files. Files are written to temp names, fsynced
 * as they complete, and renamed into place only once all are (then their directories are
 * fsynced): a crash leaves temp files or complete files, never a partial file under its real name.
 */
export async function materializeFiles(
  deps: { objects: ObjectStore; runner: TaskRunner },
  manifest: SnapshotManifest,
  lists: ChunkLists,
  dir: string,
): Promise<void> {
  const targets = targetsOf(manifest, lists, dir);
  const chunks = flatten(targets);
  const map = await deps.objects.locateFrames(chunks.ids);
  const byFrame = piecesByFrame(map);

  const syncs = new Background(FS_CONCURRENCY);
  const fileDone = (target: Target): void => {
    syncs.add(() => finishFile(target.tmp, target.refs.totalBytes));
  };
  const tasks = new Background(TASKS_IN_FLIGHT);
  const ring = new InputRing();
  let created = false;
  try {
    for (const d of new Set(targets.map((t) => dirname(t.path)))) {
      await mkdir(d, { recursive: true, mode: 0o700 });
    }
    created = true;
    // Temp files are created by the tasks writing to them; empty ones when finished.
    for (const target of targets) if (target.remaining === 0) fileDone(target);

    const order = frameOrder(map, byFrame, chunks, targets);
    for (let from = 0; from < order.length; ) {
      let to = from;
      let stored = 0;
      while (to < order.length && (to === from || stored < TASK_STORED_BYTES)) {
        stored += map.storedBytes[order[to] as number] as number;
        to++;
      }
      const frames = order.subarray(from, to);
      from = to;
      await tasks.room();
      const buffer = ring.take(stored);
      const input = new Uint8Array(buffer);
      try {
        await deps.objects.readFrames(map, frames, input);
      } catch (error) {
        ring.give(buffer);
        throw error;
      }
      const { task, bytesPerFile } = taskOf(map, byFrame, chunks, targets, frames, input);
      const { result } = await deps.runner.submit(task);
      tasks.add(async () => {
        const { bad } = await result.finally(() => ring.give(buffer));
        if (bad.length > 0) {
          throw corrupt(
            manifest.id,
            bad.slice(0, 3).map(([piece, problem]) => {
              const blob = chunks.blobOfPiece(task, piece);
              const target = targets[chunks.fileOf[blob] as number] as Target;
              return `chunk ${chunks.idHex(blob)} of ${target.name}: ${problem}`;
            }),
          );
        }
        // Finished files are fsynced while the rest is written. (A large file is not fsynced part
        // way: its pages are written again as later frames fill the holes of earlier ones, and
        // early fsyncs of 128 MiB cost a 1.3 GB restore ~1.3 s more system time.)
        for (const [file, bytes] of bytesPerFile) {
          const target = targets[file] as Target;
          target.remaining -= bytes;
          if (target.remaining === 0) fileDone(target);
        }
      });
    }
    await tasks.drain();
    await syncs.drain();
    const legacy = targets.filter((t) => t.entry.chunks === undefined);
    const mismatched: string[] = [];
    for (const t of legacy) {
      if ((await sha256Of(t.tmp)) !== t.entry.sha256)
        mismatched.push(`${t.name} does not match its sha256`);
    }
    if (mismatched.length > 0) throw corrupt(manifest.id, mismatched);
    await inBatches(targets, (t) => rename(t.tmp, t.path));
    await inBatches([...new Set(targets.map((t) => dirname(t.path)))], fsyncPath);
  } catch (error) {
    await tasks.drain().catch(() => undefined);
    await syncs.drain().catch(() => undefined);
    if (created) await inBatches(targets, (t) => rm(t.tmp, { force: true }));
    throwRestoreDiskFull(error, dir);
  }
}

/** Every file of the snapshot; a list that does not match the manifest fails before any write. */
function targetsOf(manifest: SnapshotManifest, lists: ChunkLists, dir: string): Target[] {
  const problems: string[] = [];
  const targets: Target[] = [];
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
function flatten(targets: readonly Target[]) {
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
  /** Per task: the blob each of its pieces is (set by taskOf). */
  const taskBlobs = new WeakMap<DecodeToFilesTask, Uint32Array>();
  return {
    ids,
    lengths,
    fileOf,
    offsetOf,
    taskBlobs,
    idHex: (b: number): string =>
      Buffer.from(ids.buffer, ids.byteOffset + b * ID_BYTES, ID_BYTES).toString("hex"),
    blobOfPiece: (task: DecodeToFilesTask, piece: number): number =>
      taskBlobs.get(task)?.[piece] as number,
  };
}
type Chunks = ReturnType<typeof flatten>;

/** The blobs of each frame, in the order asked (a counting sort on the frame numbers). */
function piecesByFrame(map: FrameMap): { first: Uint32Array; blobs: Uint32Array } {
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
function frameOrder(
  map: FrameMap,
  byFrame: { first: Uint32Array; blobs: Uint32Array },
  chunks: Chunks,
  targets: readonly Target[],
): Uint32Array {
  const bySize = targets.map((_, i) => i);
  bySize.sort((a, b) => (targets[b] as Target).remaining - (targets[a] as Target).remaining);
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
function taskOf(
  map: FrameMap,
  byFrame: { first: Uint32Array; blobs: Uint32Array },
  chunks: Chunks,
  targets: readonly Target[],
  frames: Uint32Array,
  input: Uint8Array,
): { task: DecodeToFilesTask; bytesPerFile: Map<number, number> } {
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
      paths.push((targets[file] as Target).tmp);
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
  chunks.taskBlobs.set(task, blobs);
  return { task, bytesPerFile };
}

/**
 * Input buffers shared with the workers: one per task in flight, taken before a task's frames are
 * read and given back once its result is in (tasks on two workers finish out of order).
 */
class InputRing {
  readonly #free: SharedArrayBuffer[] = [];

  take(bytes: number): SharedArrayBuffer {
    const index = this.#free.findIndex((b) => b.byteLength >= bytes);
    if (index >= 0) return this.#free.splice(index, 1)[0] as SharedArrayBuffer;
    // None large enough: a new one (a smaller free one is dropped, so the count stays bounded).
    this.#free.pop();
    return new SharedArrayBuffer(Math.max(bytes, TASK_STORED_BYTES + 1024 * 1024));
  }

  give(buffer: SharedArrayBuffer): void {
    this.#free.push(buffer);
  }
}

/** Runs work in the background, at most `limit` at once; the first failure is kept and thrown. */
class Background {
  readonly #limit: number;
  readonly #queue: (() => Promise<void>)[] = [];
  #active = 0;
  #waiters: (() => void)[] = [];
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Queues `work`; it starts once fewer than `limit` run. */
  add(work: () => Promise<void>): void {
    this.#queue.push(work);
    this.#pump();
  }

  /** Waits until fewer than `limit` run or wait; throws the first failure so far. */
  async room(): Promise<void> {
    while (this.#active + this.#queue.length >= this.#limit) await this.#change();
    this.#throwIfFailed();
  }

  /** Waits for everything queued; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#active + this.#queue.length > 0) await this.#change();
    this.#throwIfFailed();
  }

  #pump(): void {
    while (this.#active < this.#limit && this.#queue.length > 0) {
      const work = this.#queue.shift() as () => Promise<void>;
      this.#active++;
      work()
        .catch((error: unknown) => {
          this.#failure ??= { error };
        })
        .finally(() => {
          this.#active--;
          this.#pump();
          for (const wake of this.#waiters.splice(0)) wake();
        });
    }
  }

  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}

/** Runs `work` on every item, FS_CONCURRENCY at once. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += FS_CONCURRENCY) {
    await Promise.all(items.slice(i, i + FS_CONCURRENCY).map(work));
  }
}

/**
 * Gives a written temp file its size (a stale temp file of the same name may have been longer)
 * and fsyncs it; creates it when nothing was written to it (an empty file).
 */
async function finishFile(path: string, size: number): Promise<void> {
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

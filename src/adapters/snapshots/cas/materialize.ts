import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { ObjectStore } from "../../../ports/object-store.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import { fsyncPath } from "../../local-fs/fsync.js";
import type { ChunkLists } from "./cas-documents.js";
import { corrupt, throwRestoreDiskFull } from "./cas-errors.js";
import {
  chunkTable,
  frameOrder,
  piecesByFrame,
  type RestoreTarget,
  targetsOf,
  taskOf,
} from "./restore-plan.js";

/** Stored bytes of the frames one task decodes and writes. */
const TASK_STORED_BYTES = 2 * 1024 * 1024;
/** Tasks decoding at once (two per worker on two cores), each with its input buffer. */
const TASKS_IN_FLIGHT = 4;
/** fsyncs, renames and file creations in flight at once (the file system commits fsyncs together). */
const FS_CONCURRENCY = 32;

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
  const chunks = chunkTable(targets);
  const map = await deps.objects.locateFrames(chunks.ids);
  const byFrame = piecesByFrame(map);

  const syncs = new Background(FS_CONCURRENCY);
  const fileDone = (target: RestoreTarget): void => {
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
      const { task, blobs, bytesPerFile } = taskOf(map, byFrame, chunks, targets, frames, input);
      const { result } = await deps.runner.submit(task);
      tasks.add(async () => {
        const { bad } = await result.finally(() => ring.give(buffer));
        if (bad.length > 0) {
          throw corrupt(
            manifest.id,
            bad.slice(0, 3).map(([piece, problem]) => {
              const blob = blobs[piece] as number;
              const target = targets[chunks.fileOf[blob] as number] as RestoreTarget;
              return `chunk ${chunks.idHex(blob)} of ${target.name}: ${problem}`;
            }),
          );
        }
        // Finished files are fsynced while the rest is written. (A large file is not fsynced part
        // way: its pages are written again as later frames fill the holes of earlier ones, and
        // early fsyncs of 128 MiB cost a 1.3 GB restore ~1.3 s more system time.)
        for (const [file, bytes] of bytesPerFile) {
          const target = targets[file] as RestoreTarget;
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

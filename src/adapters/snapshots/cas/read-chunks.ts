import { createHash } from "node:crypto";
import type { ObjectStore, StoredBlob } from "../../../ports/object-store.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import type { DecodeTask, DecodeTaskResult } from "../../codec/codec-task.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import type { ChunkList } from "./chunk-list.js";

/** Stored bytes of the frames one decode task gets. */
const TASK_BYTES = 2 * 1024 * 1024;
/** A window of a file decoded together: each frame it needs is decoded once in it. */
const WINDOW_STORED_BYTES = 4 * 1024 * 1024;
const WINDOW_RAW_BYTES = 8 * 1024 * 1024;
/** A window ends after the piece that fills it: room for one more frame or chunk. */
const WINDOW_SLACK_BYTES = 1024 * 1024;
/** Windows decoding while the caller holds another (writes it, hashes it). */
const DECODE_AHEAD = 2;
/** Chunk ids turned into hex and looked up at a time (the object store reads them in windows). */
const LOOKUP_SLICE = 16 * 1024;

/** A stretch of a file, in order, and the chunks in it that failed their check. */
export interface FileStretch {
  readonly bytes: Uint8Array;
  readonly bad: readonly { readonly chunk: string; readonly problem: string }[];
}

/** A stretch of one of several files read together; `last` ends that file. */
export interface FileSegment extends FileStretch {
  readonly file: number;
  readonly last: boolean;
}

/** A decoded window: its bytes, and its bad chunks with their offsets in it. */
interface WindowBytes {
  readonly bytes: Uint8Array;
  readonly bad: readonly {
    readonly chunk: string;
    readonly problem: string;
    readonly at: number;
  }[];
}

/**
 * Streams the content of several files from their chunk lists, in order, as one stream of windows:
 * the frames a window needs are read in large sequential reads and split among decode tasks, each
 * frame decoded once for all the window's chunks in it (a file's pages alternate between frames
 * once some have changed since the base snapshot), every chunk checked against its id on the task
 * runner, and the window assembled in order, then cut at file boundaries. Thousands of small files
 * thus share windows and tasks. The next window is read while one decodes; a segment's bytes are
 * valid until the next one is asked for. A chunk that fails its check is reported in `bad` (its
 * bytes are zero); a missing or damaged stored frame throws (BLOB_MISSING / BLOB_CORRUPT).
 */
export async function* readChunkedFiles(
  objects: ObjectStore,
  runner: TaskRunner,
  files: readonly ChunkList[],
): AsyncGenerator<FileSegment> {
  const starts: number[] = [];
  let total = 0;
  for (const list of files) {
    starts.push(total);
    total += list.totalBytes;
  }
  const ends = starts.map((_, f) => (f + 1 < starts.length ? (starts[f + 1] as number) : total));
  let nextFile = 0;
  let windowStart = 0;
  /** The segments of the files overlapping [windowStart, windowStart + bytes). */
  function* segments(window: WindowBytes): Generator<FileSegment> {
    const windowEnd = windowStart + window.bytes.length;
    while (nextFile < files.length) {
      const start = starts[nextFile] as number;
      const end = ends[nextFile] as number;
      if (start > windowEnd || (start === windowEnd && end > start)) break;
      const from = Math.max(start, windowStart);
      const to = Math.min(end, windowEnd);
      const bad = window.bad
        .filter((b) => b.at + windowStart >= from && b.at + windowStart < to)
        .map(({ chunk, problem }) => ({ chunk, problem }));
      const last = end <= windowEnd;
      yield {
        file: nextFile,
        bytes: window.bytes.subarray(from - windowStart, to - windowStart),
        bad,
        last,
      };
      if (!last) break;
      nextFile++;
    }
    windowStart = windowEnd;
  }

  // Windows decoding ahead of the one the caller holds, so decoding goes on while it writes.
  const pending: Promise<WindowBytes>[] = [];
  const ring = new WindowRing(DECODE_AHEAD + 2);
  let window = new DecodeWindow();
  for await (const [blob, length] of chunksOf(objects, files)) {
    window.add(blob, length);
    if (window.full) {
      pending.push(
        (await window.decode(runner, ring.next(window.storedBytes, window.rawBytes))).done,
      );
      window = new DecodeWindow();
      if (pending.length > DECODE_AHEAD)
        yield* segments(await (pending.shift() as Promise<WindowBytes>));
    }
  }
  if (window.size > 0)
    pending.push(
      (await window.decode(runner, ring.next(window.storedBytes, window.rawBytes))).done,
    );
  for (const done of pending) yield* segments(await done);
  // Empty files after the last byte.
  yield* segments({ bytes: new Uint8Array(0), bad: [] });
}

/** Every chunk of `files` in order, with its length, looked up a slice of ids at a time. */
async function* chunksOf(
  objects: ObjectStore,
  files: readonly ChunkList[],
): AsyncGenerator<[StoredBlob, number]> {
  let ids: string[] = [];
  let lengths: number[] = [];
  async function* lookUp(): AsyncGenerator<[StoredBlob, number]> {
    let i = 0;
    for await (const blob of objects.getMany(ids)) yield [blob, lengths[i++] as number];
    ids = [];
    lengths = [];
  }
  for (const list of files) {
    for (let i = 0; i < list.count; i++) {
      ids.push(list.idHex(i));
      lengths.push(list.length(i));
      if (ids.length >= LOOKUP_SLICE) yield* lookUp();
    }
  }
  if (ids.length > 0) yield* lookUp();
}

/**
 * Buffers shared with the workers, one input (stored frames) and one output (decoded bytes) per
 * window in flight, reused in turn: allocating them per window left hundreds of MiB of dead
 * buffers waiting for the garbage collector.
 */
class WindowRing {
  readonly #inputs: (SharedArrayBuffer | undefined)[];
  readonly #outputs: (SharedArrayBuffer | undefined)[];
  #turn = 0;

  constructor(size: number) {
    this.#inputs = new Array(size).fill(undefined);
    this.#outputs = new Array(size).fill(undefined);
  }

  next(storedBytes: number, rawBytes: number): { input: Uint8Array; out: Uint8Array } {
    const slot = this.#turn++ % this.#inputs.length;
    return {
      input: view(this.#inputs, slot, storedBytes, WINDOW_STORED_BYTES + WINDOW_SLACK_BYTES),
      out: view(this.#outputs, slot, rawBytes, WINDOW_RAW_BYTES + WINDOW_SLACK_BYTES),
    };
  }
}

function view(
  buffers: (SharedArrayBuffer | undefined)[],
  slot: number,
  bytes: number,
  least: number,
): Uint8Array {
  let buffer = buffers[slot];
  if (buffer === undefined || buffer.byteLength < bytes) {
    // Past the usual size (a frame or chunk larger than the slack): room to spare for the next.
    buffer = new SharedArrayBuffer(bytes <= least ? least : Math.ceil(bytes * 1.25));
    buffers[slot] = buffer;
  }
  return new Uint8Array(buffer, 0, bytes);
}

/** Consecutive chunks of a file, grouped by the stored frame each comes from. */
class DecodeWindow {
  /** Per frame: the window's pieces in it, as [piece index, offset in frame, length, offset]. */
  readonly #frames = new Map<Uint8Array, number[]>();
  readonly #ids: string[] = [];
  #stored = 0;
  #raw = 0;

  get size(): number {
    return this.#ids.length;
  }

  get rawBytes(): number {
    return this.#raw;
  }

  get storedBytes(): number {
    return this.#stored;
  }

  get full(): boolean {
    return this.#stored >= WINDOW_STORED_BYTES || this.#raw >= WINDOW_RAW_BYTES;
  }

  add(blob: StoredBlob, length: number): void {
    let pieces = this.#frames.get(blob.data);
    if (pieces === undefined) {
      pieces = [];
      this.#frames.set(blob.data, pieces);
      this.#stored += blob.data.length;
    }
    pieces.push(this.#ids.length, blob.within, length, this.#raw);
    this.#ids.push(blob.id);
    this.#raw += length;
  }

  /**
   * Submits the window's decode tasks, their frames copied into `input`, each writing its pieces
   * into `out` (waiting for room in the runner); `done` resolves once all have, with the window's
   * bytes and bad chunks.
   */
  async decode(
    runner: TaskRunner,
    { input, out }: { input: Uint8Array; out: Uint8Array },
  ): Promise<{ done: Promise<WindowBytes> }> {
    const results: Promise<{ result: DecodeTaskResult; pieceIds: string[]; ats: number[] }>[] = [];
    let frames: Uint8Array[] = [];
    let bytes = 0;
    let inputAt = 0;
    const submit = async (): Promise<void> => {
      const data = input.subarray(inputAt, inputAt + bytes);
      inputAt += bytes;
      const { task, pieceIds, ats } = this.#taskOf(frames, data, out);
      frames = [];
      bytes = 0;
      const { result } = await runner.submit(task);
      const next = result.then((r) => ({ result: r, pieceIds, ats }));
      next.catch(() => undefined); // awaited below; not unhandled meanwhile
      results.push(next);
    };
    for (const frame of this.#frames.keys()) {
      frames.push(frame);
      bytes += frame.length;
      if (bytes >= TASK_BYTES) await submit();
    }
    if (frames.length > 0) await submit();
    const done = (async () => {
      const bad: { chunk: string; problem: string; at: number }[] = [];
      for (const { result, pieceIds, ats } of await Promise.all(results)) {
        for (const [piece, problem] of result.bad) {
          bad.push({ chunk: pieceIds[piece] as string, problem, at: ats[piece] as number });
        }
      }
      bad.sort((a, b) => a.at - b.at);
      return { bytes: out, bad };
    })();
    done.catch(() => undefined); // awaited by the reader; not unhandled meanwhile
    return { done };
  }

  /**
   * A decode task for some of the window's frames: their bytes, copied into `data`, and all their
   * pieces, grouped by frame (the task decodes each frame once into a reused buffer).
   */
  #taskOf(
    frames: readonly Uint8Array[],
    data: Uint8Array,
    out: Uint8Array,
  ): { task: DecodeTask; pieceIds: string[]; ats: number[] } {
    const frameEnds: number[] = [];
    const quads: number[] = [];
    const pieceIds: string[] = [];
    const ats: number[] = [];
    let at = 0;
    frames.forEach((frame, f) => {
      data.set(frame, at);
      at += frame.length;
      frameEnds.push(at);
      const pieces = this.#frames.get(frame) ?? [];
      for (let i = 0; i < pieces.length; i += 4) {
        pieceIds.push(this.#ids[pieces[i] as number] as string);
        ats.push(pieces[i + 3] as number);
        quads.push(f, pieces[i + 1] as number, pieces[i + 2] as number, pieces[i + 3] as number);
      }
    });
    const task: DecodeTask = {
      kind: "decode",
      data,
      frameEnds,
      pieces: Uint32Array.from(quads),
      ids: pieceIds.join(""),
      out,
    };
    return { task, pieceIds, ats };
  }
}

/**
 * How a file read back from its chunks is proven whole: by its chunk list's hash when the manifest
 * records one (every chunk is checked against its id as it is decoded), else by hashing it whole.
 */
export function contentCheck(
  file: SnapshotFile,
  refs: ChunkList,
): { update(bytes: Uint8Array): void; problem(): string | undefined } {
  if (file.chunks !== undefined) {
    const listOk = refs.hash() === file.chunks;
    return {
      update: () => undefined,
      problem: () => (listOk ? undefined : "has a chunk list that does not match its manifest"),
    };
  }
  const whole = createHash("sha256");
  return {
    update: (bytes) => whole.update(bytes),
    problem: () => (whole.digest("hex") === file.sha256 ? undefined : "does not match its sha256"),
  };
}

import { createHash } from "node:crypto";
import type { ObjectStore, StoredBlob } from "../../../ports/object-store.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import type { DecodeTask, DecodeTaskResult } from "../../codec/codec-task.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import type { ChunkList } from "./chunk-list.js";

/** Stored bytes of the frames one decode task gets. */
const TASK_BYTES = 2 * 1024 * 1024;
/**
 * A window of a file decoded together: each frame it needs is decoded once in it. At 3 / 6 MiB
 * (not 4 / 8) a 1.4 GB restore peaks ~20 MiB lower for ~5% more time (docs/performance.md).
 */
const WINDOW_STORED_BYTES = 3 * 1024 * 1024;
const WINDOW_RAW_BYTES = 6 * 1024 * 1024;
/** A window ends after the piece that fills it: room for one more frame or chunk. */
const WINDOW_SLACK_BYTES = 1024 * 1024;
/**
 * Windows decoding while the caller holds another. Verify only hashes a list and passes: one ahead
 * keeps the workers busy. (A restore no longer reads by window: materialize.ts.)
 */
export const DECODE_AHEAD = 1;
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
  decodeAhead = DECODE_AHEAD,
  /** Window buffers to use: one set for several streams read one after the other. */
  ring: WindowRing = windowRing(decodeAhead),
): AsyncGenerator<FileSegment> {
  if (ring.size < decodeAhead + 2) {
    throw new RangeError(`a window ring of ${ring.size} is too small for this stream`);
  }
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
  let window = new DecodeWindow(ring);
  for await (const [blob, length] of chunksOf(objects, files)) {
    window.add(blob, length);
    if (window.full) {
      pending.push((await window.decode(runner)).done);
      window = new DecodeWindow(ring);
      if (pending.length > decodeAhead)
        yield* segments(await (pending.shift() as Promise<WindowBytes>));
    }
  }
  if (window.size > 0) pending.push((await window.decode(runner)).done);
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
 * The window buffers of streams read with `decodeAhead`: one set per window decoding or decoded,
 * and the one filling. Streams read one after the other (the assets of a snapshot) share one ring:
 * a ring per asset left the previous one's buffers to the garbage collector while the next filled.
 */
export function windowRing(decodeAhead = DECODE_AHEAD): WindowRing {
  return new WindowRing(decodeAhead + 2);
}

/**
 * Buffers shared with the workers, one input (stored frames) and one output (decoded bytes) per
 * window in flight, reused in turn: allocating them per window left hundreds of MiB of dead
 * buffers waiting for the garbage collector.
 */
export class WindowRing {
  readonly #inputs: (SharedArrayBuffer | undefined)[];
  readonly #outputs: (SharedArrayBuffer | undefined)[];
  #turn = 0;

  constructor(size: number) {
    this.#inputs = new Array(size).fill(undefined);
    this.#outputs = new Array(size).fill(undefined);
  }

  get size(): number {
    return this.#inputs.length;
  }

  /** The next window's slot. */
  take(): number {
    return this.#turn++ % this.#inputs.length;
  }

  /** The slot's input buffer, at least `bytes` long, keeping its first `keep` bytes. */
  input(slot: number, bytes: number, keep = 0): Uint8Array {
    return view(this.#inputs, slot, bytes, WINDOW_STORED_BYTES + WINDOW_SLACK_BYTES, keep);
  }

  output(slot: number, bytes: number): Uint8Array {
    return view(this.#outputs, slot, bytes, WINDOW_RAW_BYTES + WINDOW_SLACK_BYTES, 0).subarray(
      0,
      bytes,
    );
  }
}

function view(
  buffers: (SharedArrayBuffer | undefined)[],
  slot: number,
  bytes: number,
  least: number,
  keep: number,
): Uint8Array {
  let buffer = buffers[slot];
  if (buffer === undefined || buffer.byteLength < bytes) {
    // Past the usual size (a frame or chunk larger than the slack): room to spare for the next.
    const grown = new SharedArrayBuffer(bytes <= least ? least : Math.ceil(bytes * 1.25));
    if (buffer !== undefined && keep > 0) {
      new Uint8Array(grown).set(new Uint8Array(buffer, 0, keep));
    }
    buffer = grown;
    buffers[slot] = buffer;
  }
  return new Uint8Array(buffer);
}

/**
 * Consecutive chunks of a file, grouped by the stored frame each comes from. Each frame is copied
 * into the window's input buffer as it arrives, so the object store may reuse its read buffers.
 */
class DecodeWindow {
  readonly #ring: WindowRing;
  readonly #slot: number;
  #input: Uint8Array;
  /** Per frame: its place in the input and the window's pieces in it, as [piece index, offset in
   * frame, length, offset in the window]. */
  readonly #frames = new Map<
    Uint8Array,
    { readonly start: number; readonly end: number; readonly pieces: number[] }
  >();
  readonly #ids: string[] = [];
  #stored = 0;
  #raw = 0;

  constructor(ring: WindowRing) {
    this.#ring = ring;
    this.#slot = ring.take();
    this.#input = ring.input(this.#slot, 0);
  }

  get size(): number {
    return this.#ids.length;
  }

  get full(): boolean {
    return this.#stored >= WINDOW_STORED_BYTES || this.#raw >= WINDOW_RAW_BYTES;
  }

  add(blob: StoredBlob, length: number): void {
    let frame = this.#frames.get(blob.data);
    if (frame === undefined) {
      const end = this.#stored + blob.data.length;
      if (end > this.#input.length) this.#input = this.#ring.input(this.#slot, end, this.#stored);
      this.#input.set(blob.data, this.#stored);
      frame = { start: this.#stored, end, pieces: [] };
      this.#frames.set(blob.data, frame);
      this.#stored = end;
    }
    frame.pieces.push(this.#ids.length, blob.within, length, this.#raw);
    this.#ids.push(blob.id);
    this.#raw += length;
  }

  /**
   * Submits the window's decode tasks, each writing its pieces into the window's output buffer
   * (waiting for room in the runner); `done` resolves once all have, with the window's bytes and
   * bad chunks.
   */
  async decode(runner: TaskRunner): Promise<{ done: Promise<WindowBytes> }> {
    const out = this.#ring.output(this.#slot, this.#raw);
    const results: Promise<{ result: DecodeTaskResult; pieceIds: string[]; ats: number[] }>[] = [];
    let frames: { start: number; end: number; pieces: number[] }[] = [];
    const submit = async (): Promise<void> => {
      const { task, pieceIds, ats } = this.#taskOf(frames, out);
      frames = [];
      const { result } = await runner.submit(task);
      const next = result.then((r) => ({ result: r, pieceIds, ats }));
      next.catch(() => undefined); // awaited below; not unhandled meanwhile
      results.push(next);
    };
    // Tasks of even size (two of 1.5 MiB, not 2 + 1), so the workers finish a window together.
    const tasks = Math.max(1, Math.round(this.#stored / TASK_BYTES));
    const taskBytes = this.#stored / tasks;
    for (const frame of this.#frames.values()) {
      frames.push(frame);
      if (frame.end - (frames[0]?.start ?? 0) >= taskBytes) await submit();
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
   * A decode task for consecutive frames of the window (one stretch of its input) and all their
   * pieces, grouped by frame (the task decodes each frame once into a reused buffer).
   */
  #taskOf(
    frames: readonly { start: number; end: number; pieces: number[] }[],
    out: Uint8Array,
  ): { task: DecodeTask; pieceIds: string[]; ats: number[] } {
    const first = (frames[0] as { start: number }).start;
    const frameEnds: number[] = [];
    const quads: number[] = [];
    const pieceIds: string[] = [];
    const ats: number[] = [];
    frames.forEach((frame, f) => {
      frameEnds.push(frame.end - first);
      const { pieces } = frame;
      for (let i = 0; i < pieces.length; i += 4) {
        pieceIds.push(this.#ids[pieces[i] as number] as string);
        ats.push(pieces[i + 3] as number);
        quads.push(f, pieces[i + 1] as number, pieces[i + 2] as number, pieces[i + 3] as number);
      }
    });
    const task: DecodeTask = {
      kind: "decode",
      data: this.#input.subarray(first, (frames.at(-1) as { end: number }).end),
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

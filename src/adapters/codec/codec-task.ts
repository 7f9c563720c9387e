import { createHash, type Hash } from "node:crypto";
import { cdcChunks } from "../../domain/chunking/fast-cdc.js";
import {
  decodeBlobInto,
  encodeBlob,
  encodeBlobInPlace,
  encodeBlobInto,
  encodedBound,
} from "./blob-format.js";
import type { Codec } from "./codec.js";

/** One batch of consecutive chunks for a worker: hash them, compress some or all of them. */
export interface CodecTask {
  readonly kind?: "chunks";
  /** The chunks' bytes back to back. Its ArrayBuffer is moved to the worker and handed back. */
  readonly data: Uint8Array;
  /**
   * Chunk end offsets within `data`, ascending; bytes after the last one are ignored (a reused
   * buffer larger than its content is sent whole, so it can be moved rather than copied).
   */
  readonly cuts: readonly number[];
  /**
   * The chunks are still to be found: `cuts` is one end (the whole content) and the runner cuts it
   * by content (FastCDC, default parameters, as `fileBlocks` would have) and returns the cuts.
   */
  readonly cutByContent?: boolean;
  /** Whether to hash every chunk. */
  readonly hash: boolean;
  /** Indexes of the chunks to compress (e.g. only those the store lacks); default none. */
  readonly compress?: readonly number[];
  /**
   * "each": one compressed blob per chosen chunk. "frame": the chosen chunks concatenated and
   * compressed as one frame — small chunks (4 KiB pages) compress 1.2x better that way. "blob":
   * like "frame", encoded as a stored frame (blob-format.ts: header, raw when it does not shrink).
   */
  readonly framing?: "each" | "frame" | "blob" | "frames";
  /**
   * With framing "frames": every chunk (`compress` is ignored) goes into frames of consecutive
   * chunks of up to `frameBytes` raw bytes (a larger chunk is a frame alone), each encoded as a
   * stored frame into `out` back to back; the result's `frameStarts` gives each frame's first chunk.
   */
  readonly frameBytes?: number;
  /**
   * Where framing "frames" writes its frames: an ArrayBuffer's whole view, moved to the worker and
   * handed back as the result's frames. A buffer too small for the worst case is replaced.
   */
  readonly out?: Uint8Array;
  /**
   * With framing "blob" and one chunk to compress starting at byte 0: write the stored frame over
   * `data` itself (which needs IN_PLACE_HEADROOM bytes beyond the chunk), so no buffer is
   * allocated for it; the result's one blob is then a view of `data`.
   */
  readonly inPlace?: boolean;
  /**
   * Also feed the chunks' bytes to a running whole-file sha256 kept by the runner under `id`
   * (created on `first`, its hex digest returned on `last`; ids from `newStreamId`). Tasks of one stream must run in
   * order on one runner: see `affinity`.
   */
  readonly stream?: { readonly id: number; readonly first: boolean; readonly last: boolean };
  /** Run on the worker `affinity % workers` (tasks of one stream in order on one thread). */
  readonly affinity?: number;
}

/** Bytes of a chunk id: a sha256 (or sha512-256) digest. */
export const CHUNK_ID_BYTES = 32;

export interface CodecTaskResult {
  /** The task's `data`, handed back. */
  readonly data: Uint8Array;
  /**
   * The chunks' ids when the task asked for hashes (else empty): their digests, CHUNK_ID_BYTES
   * each, back to back in a buffer of their own. Binary, not hex: a 1 GiB database has ~270,000
   * chunks, whose hex strings cost the worker, the message and the receiving thread.
   */
  readonly ids: Uint8Array;
  /** With `cutByContent`: the chunk end offsets found. */
  readonly cuts?: readonly number[];
  /** One blob per chosen chunk ("each"), or a single frame ("frame"), or none. */
  readonly compressed: readonly Uint8Array[];
  /** The stream's whole-file digest, on its last task. */
  readonly streamDigest?: string;
  /** With framing "frames": the index of each frame's first chunk (frame i is `compressed[i]`). */
  readonly frameStarts?: readonly number[];
}

/** Running whole-file hashes of streams, per thread. */
const streams = new Map<number, Hash>();
let lastStreamId = 0;

/** A stream id unique in this process (the threads a pool starts share the process). */
export function newStreamId(): number {
  lastStreamId += 1;
  return lastStreamId;
}

/** Chunk `index` of a task as a view into its data. */
export function chunkOf(data: Uint8Array, cuts: readonly number[], index: number): Uint8Array {
  const start = index === 0 ? 0 : (cuts[index - 1] as number);
  return data.subarray(start, cuts[index] as number);
}

/** Runs a task on this thread (the worker's body; also usable without a pool). */
export function runCodecTask(codec: Codec, task: CodecTask): CodecTaskResult {
  const { data } = task;
  const length = task.cuts.at(-1) ?? 0;
  if (length > data.length) {
    throw new RangeError(`cuts end at ${length}, data has ${data.length} bytes`);
  }
  if (task.cutByContent && task.cuts.length > 1) {
    throw new RangeError(`a task cut by content has one end, got ${task.cuts.length} cuts`);
  }
  const cuts = task.cutByContent ? cdcChunks(data.subarray(0, length)) : task.cuts;
  const found = task.cutByContent ? { cuts } : {};
  const ids = new Uint8Array(task.hash ? cuts.length * CHUNK_ID_BYTES : 0);
  if (task.hash) {
    for (let i = 0; i < cuts.length; i++) {
      const bytes = codec.digestInto(chunkOf(data, cuts, i), ids, i * CHUNK_ID_BYTES);
      if (bytes !== CHUNK_ID_BYTES) {
        throw new RangeError(
          `chunk ids are ${CHUNK_ID_BYTES} bytes; ${codec.options.hash} gives ${bytes}`,
        );
      }
    }
  }
  let streamDigest: string | undefined;
  if (task.stream) {
    const { id, first, last } = task.stream;
    if (first && last && ids.length === CHUNK_ID_BYTES && codec.options.hash === "sha256") {
      // The whole content is one chunk: its sha256 is the chunk's id, already computed.
      streamDigest = idHex(ids, 0);
    } else {
      if (first) streams.set(id, createHash("sha256"));
      const hash = streams.get(id);
      if (!hash) throw new Error(`hash stream ${id} was not started on this thread`);
      hash.update(data.subarray(0, length));
      if (last) {
        streamDigest = hash.digest("hex");
        streams.delete(id);
      }
    }
  }
  const digest = streamDigest === undefined ? {} : { streamDigest };
  const chosen = (task.compress ?? []).map((i) => chunkOf(data, cuts, i));
  if (task.framing === "frames") {
    const { compressed, frameStarts } = encodeFrames(codec, { ...task, cuts });
    return { data, ids, compressed, frameStarts, ...found, ...digest };
  }
  let compressed: Uint8Array[] = [];
  const only = task.compress?.length === 1 ? task.compress[0] : undefined;
  if (task.inPlace && task.framing === "blob" && only === 0) {
    compressed = [encodeBlobInPlace(codec, data, cuts[0] as number)];
  } else if (chosen.length > 0 && (task.framing === "frame" || task.framing === "blob")) {
    const joined = chosen.length === 1 ? (chosen[0] as Uint8Array) : Buffer.concat(chosen);
    compressed = [task.framing === "blob" ? encodeBlob(codec, joined) : codec.compress(joined)];
  } else {
    compressed = chosen.map((c) => codec.compress(c));
  }
  return { data, ids, compressed, ...found, ...digest };
}

/** Every chunk id of `ids` (CodecTaskResult.ids) as lowercase hex. */
export function idsHex(ids: Uint8Array): string[] {
  return Array.from({ length: ids.length / CHUNK_ID_BYTES }, (_, i) => idHex(ids, i));
}

/** Chunk id `index` of `ids` (CodecTaskResult.ids) as lowercase hex. */
export function idHex(ids: Uint8Array, index: number): string {
  const at = ids.byteOffset + index * CHUNK_ID_BYTES;
  return Buffer.from(ids.buffer, at, CHUNK_ID_BYTES).toString("hex");
}

/** Cuts a task's chunks into frames and encodes each into `task.out` (or a larger buffer). */
function encodeFrames(
  codec: Codec,
  task: CodecTask,
): { compressed: Uint8Array[]; frameStarts: number[] } {
  const { data, cuts } = task;
  const frameBytes = task.frameBytes ?? 0;
  if (!(frameBytes > 0))
    throw new RangeError(`framing "frames" needs frameBytes, got ${frameBytes}`);
  const frameStarts: number[] = [];
  const ends: number[] = [];
  let frameStart = 0; // where the frame being filled starts
  let start = 0; // where chunk i starts
  for (let i = 0; i < cuts.length; i++) {
    const end = cuts[i] as number;
    if (i === 0) frameStarts.push(0);
    else if (end - frameStart > frameBytes) {
      ends.push(start);
      frameStarts.push(i);
      frameStart = start;
    }
    start = end;
  }
  if (cuts.length > 0) ends.push(start);
  let bound = 0;
  let from = 0;
  for (const end of ends) {
    bound += encodedBound(codec, end - from);
    from = end;
  }
  const out = task.out !== undefined && task.out.length >= bound ? task.out : new Uint8Array(bound);
  const compressed: Uint8Array[] = [];
  let at = 0;
  from = 0;
  for (const end of ends) {
    const written = encodeBlobInto(codec, data.subarray(from, end), out.subarray(at));
    compressed.push(out.subarray(at, at + written));
    at += written;
    from = end;
  }
  return { compressed, frameStarts };
}

/**
 * Stored frames to decode and the pieces wanted from them: each piece is checked against its id
 * (the hash of its bytes) and written straight to its place in `out`, a buffer shared with the
 * caller (a SharedArrayBuffer when the task runs on a worker), so nothing is copied back.
 */
export interface DecodeTask {
  readonly kind: "decode";
  /**
   * Stored frames back to back: a view of a SharedArrayBuffer (shared with the worker, never
   * copied), or of an ArrayBuffer, which is moved to the worker and handed back.
   */
  readonly data: Uint8Array;
  /** End offset of each frame within `data`, ascending. */
  readonly frameEnds: readonly number[];
  /** Four u32 per piece: frame index, offset in the decoded frame, length, offset in `out`. */
  readonly pieces: Uint32Array;
  /** The pieces' expected ids, 64 hex characters each, back to back. */
  readonly ids: string;
  readonly out: Uint8Array;
}

export interface DecodeTaskResult {
  /** The task's `data`, handed back. */
  readonly data: Uint8Array;
  /** Pieces that could not be read or do not match their id: index and why (their bytes are zero). */
  readonly bad: readonly (readonly [piece: number, problem: string])[];
}

/**
 * This thread's buffer for decoded frames, grown to the largest frame seen: shared by the decode
 * tasks of both kinds (a task uses it only while it runs).
 */
let scratchBuffer = new Uint8Array(0);
export function decodeScratch(length: number): Uint8Array {
  if (scratchBuffer.length < length + 1)
    scratchBuffer = new Uint8Array(Math.max(length + 1, 1 << 20));
  return scratchBuffer;
}

/**
 * Runs a decode task on this thread (the worker's body; also usable without a pool). Frames are
 * decoded into one reused buffer, so a task's pieces should come grouped by frame (the reader
 * sends them so); a frame needed again after another is decoded again.
 */
export function runDecodeTask(codec: Codec, task: DecodeTask): DecodeTaskResult {
  const { data, frameEnds, pieces, ids, out } = task;
  const bad: [number, string][] = [];
  let current = -1;
  let bytes: Uint8Array | Error = new Uint8Array(0);
  for (let index = 0; index < pieces.length / 4; index++) {
    const frame = pieces[index * 4] as number;
    const within = pieces[index * 4 + 1] as number;
    const length = pieces[index * 4 + 2] as number;
    const at = pieces[index * 4 + 3] as number;
    if (frame !== current) {
      const start = frame === 0 ? 0 : (frameEnds[frame - 1] as number);
      try {
        bytes = decodeBlobInto(
          codec,
          data.subarray(start, frameEnds[frame] as number),
          decodeScratch,
        );
      } catch (error) {
        bytes = error instanceof Error ? error : new Error(String(error));
      }
      current = frame;
    }
    let problem: string | undefined;
    if (bytes instanceof Error) problem = bytes.message;
    else if (within + length > bytes.length) problem = "its frame is too short";
    else {
      const piece = bytes.subarray(within, within + length);
      if (codec.hashOf(piece) === ids.slice(index * 64, index * 64 + 64)) out.set(piece, at);
      else problem = "its bytes do not match its hash";
    }
    if (problem !== undefined) {
      bad.push([index, problem]);
      out.fill(0, at, at + length);
    }
  }
  return { data, bad };
}

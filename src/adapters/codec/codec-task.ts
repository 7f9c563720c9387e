import { decodeBlob, encodeBlob } from "./blob-format.js";
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
  /** Whether to hash every chunk. */
  readonly hash: boolean;
  /** Indexes of the chunks to compress (e.g. only those the store lacks); default none. */
  readonly compress?: readonly number[];
  /**
   * "each": one compressed blob per chosen chunk. "frame": the chosen chunks concatenated and
   * compressed as one frame — small chunks (4 KiB pages) compress 1.2x better that way. "blob":
   * like "frame", encoded as a stored frame (blob-format.ts: header, raw when it does not shrink).
   */
  readonly framing?: "each" | "frame" | "blob";
}

export interface CodecTaskResult {
  /** The task's `data`, handed back. */
  readonly data: Uint8Array;
  /** One hex digest per chunk when the task asked for hashes, else empty. */
  readonly hashes: readonly string[];
  /** One blob per chosen chunk ("each"), or a single frame ("frame"), or none. */
  readonly compressed: readonly Uint8Array[];
}

/** Chunk `index` of a task as a view into its data. */
export function chunkOf(data: Uint8Array, cuts: readonly number[], index: number): Uint8Array {
  const start = index === 0 ? 0 : (cuts[index - 1] as number);
  return data.subarray(start, cuts[index] as number);
}

/** Runs a task on this thread (the worker's body; also usable without a pool). */
export function runCodecTask(codec: Codec, task: CodecTask): CodecTaskResult {
  const { data, cuts } = task;
  if ((cuts.at(-1) ?? 0) > data.length) {
    throw new RangeError(`cuts end at ${cuts.at(-1) ?? 0}, data has ${data.length} bytes`);
  }
  const hashes = task.hash ? cuts.map((_, i) => codec.hashOf(chunkOf(data, cuts, i))) : [];
  const chosen = (task.compress ?? []).map((i) => chunkOf(data, cuts, i));
  let compressed: Uint8Array[] = [];
  if (chosen.length > 0 && (task.framing === "frame" || task.framing === "blob")) {
    const joined = chosen.length === 1 ? (chosen[0] as Uint8Array) : Buffer.concat(chosen);
    compressed = [task.framing === "blob" ? encodeBlob(codec, joined) : codec.compress(joined)];
  } else {
    compressed = chosen.map((c) => codec.compress(c));
  }
  return { data, hashes, compressed };
}

/**
 * Stored frames to decode and the pieces wanted from them, in output order: each piece is checked
 * against its id (the hash of its bytes) and copied into one output buffer.
 */
export interface DecodeTask {
  readonly kind: "decode";
  /** Stored frames back to back. Its ArrayBuffer is moved to the worker and handed back. */
  readonly data: Uint8Array;
  /** End offset of each frame within `data`, ascending. */
  readonly frameEnds: readonly number[];
  /** frame index, offset in the decoded frame, length, expected id. */
  readonly pieces: readonly (readonly [
    frame: number,
    within: number,
    length: number,
    id: string,
  ])[];
}

export interface DecodeTaskResult {
  /** The task's `data`, handed back. */
  readonly data: Uint8Array;
  /** The pieces' bytes back to back (a bad piece's bytes are zero). */
  readonly out: Uint8Array;
  /** Pieces that could not be read or do not match their id: index and why. */
  readonly bad: readonly (readonly [piece: number, problem: string])[];
}

/** Runs a decode task on this thread (the worker's body; also usable without a pool). */
export function runDecodeTask(codec: Codec, task: DecodeTask): DecodeTaskResult {
  const { data, frameEnds, pieces } = task;
  const out = new Uint8Array(new ArrayBuffer(pieces.reduce((sum, p) => sum + p[2], 0)));
  const bad: [number, string][] = [];
  let decoded: { frame: number; bytes: Uint8Array | Error } | undefined;
  let at = 0;
  pieces.forEach(([frame, within, length, id], index) => {
    if (decoded?.frame !== frame) {
      const start = frame === 0 ? 0 : (frameEnds[frame - 1] as number);
      let bytes: Uint8Array | Error;
      try {
        bytes = decodeBlob(codec, data.subarray(start, frameEnds[frame] as number));
      } catch (error) {
        bytes = error instanceof Error ? error : new Error(String(error));
      }
      decoded = { frame, bytes };
    }
    const { bytes } = decoded;
    if (bytes instanceof Error) bad.push([index, bytes.message]);
    else if (within + length > bytes.length) bad.push([index, "its frame is too short"]);
    else {
      const piece = bytes.subarray(within, within + length);
      if (codec.hashOf(piece) === id) out.set(piece, at);
      else bad.push([index, "its bytes do not match its hash"]);
    }
    at += length;
  });
  return { data, out, bad };
}

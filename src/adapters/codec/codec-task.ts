import type { Codec } from "./codec.js";

/** One batch of consecutive chunks for a worker: hash them, compress some or all of them. */
export interface CodecTask {
  /** The chunks' bytes back to back. Its ArrayBuffer is moved to the worker and handed back. */
  readonly data: Uint8Array;
  /** Chunk end offsets within `data`, ascending, the last one equal to `data.length`. */
  readonly cuts: readonly number[];
  /** Whether to hash every chunk. */
  readonly hash: boolean;
  /** Indexes of the chunks to compress (e.g. only those the store lacks); default none. */
  readonly compress?: readonly number[];
  /**
   * "each": one compressed blob per chosen chunk. "frame": the chosen chunks concatenated and
   * compressed as one frame — small chunks (4 KiB pages) compress 1.2x better that way.
   */
  readonly framing?: "each" | "frame";
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
  if ((cuts.at(-1) ?? 0) !== data.length) {
    throw new RangeError(`cuts end at ${cuts.at(-1) ?? 0}, data has ${data.length} bytes`);
  }
  const hashes = task.hash ? cuts.map((_, i) => codec.hashOf(chunkOf(data, cuts, i))) : [];
  const chosen = (task.compress ?? []).map((i) => chunkOf(data, cuts, i));
  let compressed: Uint8Array[] = [];
  if (chosen.length > 0 && task.framing === "frame") {
    compressed = [
      codec.compress(chosen.length === 1 ? (chosen[0] as Uint8Array) : Buffer.concat(chosen)),
    ];
  } else {
    compressed = chosen.map((c) => codec.compress(c));
  }
  return { data, hashes, compressed };
}

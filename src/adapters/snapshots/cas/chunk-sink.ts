import type { ObjectStore } from "../../../ports/object-store.js";
import { CHUNK_ID_BYTES, type CodecTaskResult, chunkOf } from "../../codec/codec-task.js";
import { BLOCK_BUFFER_BYTES } from "./file-chunks.js";
import type { ChunkInFrame, FrameWriter } from "./frame-writer.js";

/** Room for a block's frames once encoded (a worker replaces a buffer too small). */
export const OUT_BUFFER_BYTES = BLOCK_BUFFER_BYTES + (BLOCK_BUFFER_BYTES >> 7) + 64 * 1024;

/** Where a block's hashed chunks go: those the store lacks into frames, the rest nowhere. */
export class ChunkSink {
  readonly #objects: ObjectStore;
  readonly #frames: FrameWriter;
  /** Buffers for frames encoded on a worker, reused once the frames in them are written. */
  readonly #outs: Uint8Array[] = [];
  readonly #keep: number;

  /** `keep`: how many spare frame buffers to hold on to. */
  constructor(objects: ObjectStore, frames: FrameWriter, keep: number) {
    this.#keep = keep;
    this.#objects = objects;
    this.#frames = frames;
  }

  /** A buffer for a task's encoded frames (its `out`). */
  outBuffer(): Uint8Array {
    return this.#outs.pop() ?? new Uint8Array(new ArrayBuffer(OUT_BUFFER_BYTES));
  }

  /**
   * Stores the chunks of a hashed block that the store lacks and counts them: a frame a worker
   * encoded whose chunks are all new goes to the pack writer as it is; the new chunks of any other
   * frame (or of a block not framed) are copied into frames here, so no chunk is stored twice.
   */
  async store(block: CodecTaskResult, cuts: readonly number[]): Promise<number> {
    // Committed chunks are looked up for the whole block at once; those on their way into the
    // store (this writer's) one by one, as earlier chunks of the block may be among them.
    const lacking = await this.#objects.lacking(block.ids);
    const idOf = (i: number) => block.ids.subarray(i * CHUNK_ID_BYTES, (i + 1) * CHUNK_ID_BYTES);
    const copyNew = async (from: number, to: number): Promise<number> => {
      let fresh = 0;
      for (let i = from; i < to; i++) {
        if (lacking[i] !== 1) continue; // most chunks of an update: no view made for them
        const id = idOf(i);
        if (this.#frames.has(id)) continue;
        await this.#frames.add(id, chunkOf(block.data, cuts, i));
        fresh += 1;
      }
      return fresh;
    };
    const starts = block.frameStarts;
    if (starts === undefined) return copyNew(0, cuts.length);

    const written: Promise<void>[] = [];
    let fresh = 0;
    for (const [f, from] of starts.entries()) {
      const to = starts[f + 1] ?? cuts.length;
      const base = from === 0 ? 0 : (cuts[from - 1] as number);
      const members: ChunkInFrame[] = [];
      for (let i = from; i < to; i++) {
        if (lacking[i] !== 1) break;
        const id = idOf(i);
        if (this.#frames.has(id)) break;
        members.push({ id, within: (i === 0 ? 0 : (cuts[i - 1] as number)) - base });
      }
      if (members.length === to - from) {
        const frame = block.compressed[f] as Uint8Array;
        written.push((await this.#frames.addEncoded(members, frame)).written);
        fresh += members.length;
      } else {
        fresh += await copyNew(from, to);
      }
    }
    const out = block.compressed[0]?.buffer;
    if (out instanceof ArrayBuffer && out.byteLength === OUT_BUFFER_BYTES) {
      void Promise.all(written).then(() => {
        if (this.#outs.length < this.#keep) this.#outs.push(new Uint8Array(out));
      });
    }
    return fresh;
  }
}

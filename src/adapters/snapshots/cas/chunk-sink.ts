import type { FrameMember, ObjectStore } from "../../../ports/object-store.js";
import { type CodecTaskResult, chunkOf } from "../../codec/codec-task.js";
import { BLOCK_BUFFER_BYTES } from "./file-chunks.js";
import type { FrameWriter } from "./frame-writer.js";

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

  /** Whether a chunk is neither stored nor on its way. */
  async lacks(id: string): Promise<boolean> {
    return !this.#frames.has(id) && !(await this.#objects.has(id));
  }

  /** A buffer for a task's encoded frames (its `out`). */
  outBuffer(): Uint8Array {
    return this.#outs.pop() ?? new Uint8Array(new ArrayBuffer(OUT_BUFFER_BYTES));
  }

  /** Copies chunks `from` to `to` of a block that the store lacks into frames; counts them. */
  async storeChunks(
    block: CodecTaskResult,
    cuts: readonly number[],
    from: number,
    to: number,
  ): Promise<number> {
    let fresh = 0;
    for (let i = from; i < to; i++) {
      const id = block.hashes[i] as string;
      if (await this.lacks(id)) {
        await this.#frames.add(id, chunkOf(block.data, cuts, i));
        fresh += 1;
      }
    }
    return fresh;
  }

  /**
   * Stores a block a worker has cut into frames and encoded: a frame whose chunks are all new goes
   * to the pack writer as it is; the new chunks of any other frame are copied into frames here, so
   * no chunk is stored twice. Counts the new chunks.
   */
  async storeFrames(block: CodecTaskResult, cuts: readonly number[]): Promise<number> {
    const starts = block.frameStarts as readonly number[];
    const written: Promise<void>[] = [];
    let fresh = 0;
    for (const [f, from] of starts.entries()) {
      const to = starts[f + 1] ?? cuts.length;
      const base = from === 0 ? 0 : (cuts[from - 1] as number);
      const members: FrameMember[] = [];
      for (let i = from; i < to; i++) {
        const id = block.hashes[i] as string;
        if (!(await this.lacks(id))) break;
        members.push({ id, within: (i === 0 ? 0 : (cuts[i - 1] as number)) - base });
      }
      if (members.length === to - from) {
        const frame = block.compressed[f] as Uint8Array;
        written.push((await this.#frames.addEncoded(members, frame)).written);
        fresh += members.length;
      } else {
        fresh += await this.storeChunks(block, cuts, from, to);
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

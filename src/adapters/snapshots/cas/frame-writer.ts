import type { PackWriter } from "../../../ports/object-store.js";
import { IN_PLACE_HEADROOM } from "../../codec/blob-format.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import { IdSet } from "./id-set.js";

/** A chunk in a frame: its id (32 bytes) and where it starts in the frame's decoded bytes. */
export interface ChunkInFrame {
  readonly id: Uint8Array;
  readonly within: number;
}

/**
 * Raw bytes gathered into one frame: 1.04x the size of whole-file zstd at 256 KiB, 1.00x at 1 MiB.
 * Gathered chunks are often scattered over their files (the pages an update changed), and reading
 * one back decodes its whole frame: a verify of a file whose pages alternate between frames decodes
 * a frame for every window that needs one of its chunks, so these stay small.
 */
export const FRAME_BYTES = 512 * 1024;
/**
 * Frames a worker cuts from a large file's block of new chunks (`framing: "frames"`): consecutive
 * content, read back in order, so larger frames cost nothing on the way back and store less
 * (zstd level 3 as tuned in codec.ts: 1.3% less than 512 KiB frames on the benchmark's database).
 */
export const STREAM_FRAME_BYTES = 2 * 1024 * 1024;
/** Frames compressed or being written at once; bounds the memory held for them. */
const MAX_PENDING_FRAMES = 8;
/** A frame buffer: the raw bytes, then room to encode the frame over them (see encodeBlobInPlace). */
const FRAME_BUFFER_BYTES = FRAME_BYTES + IN_PLACE_HEADROOM;

/**
 * Gathers new chunks into frames of about FRAME_BYTES, compresses each frame on the task runner and
 * appends it to the pack writer, in order. Chunks are copied in, so callers may reuse their buffers.
 * Frames a worker encoded already (`addEncoded`) join the same queue.
 */
export class FrameWriter {
  readonly #writer: PackWriter;
  readonly #runner: TaskRunner;
  #buffer: Uint8Array = Buffer.allocUnsafeSlow(FRAME_BUFFER_BYTES);
  /**
   * Frame buffers handed back by the runner with the encoded frame in them, reused once it is
   * written: fresh 512 KiB buffers per frame bloat RSS and keep the garbage collector busy.
   */
  readonly #spare: Uint8Array[] = [];
  #used = 0;
  #members: ChunkInFrame[] = [];
  /** Ids gathered or being compressed, not yet in the pack writer. */
  readonly #inFlight = new IdSet();
  #pending: Promise<void>[] = [];
  #failure: unknown;

  constructor(writer: PackWriter, runner: TaskRunner) {
    this.#writer = writer;
    this.#runner = runner;
  }

  /** Whether a chunk is already on its way into the store (gathered here or added to the writer). */
  has(id: Uint8Array): boolean {
    return this.#inFlight.has(id) || this.#writer.has(id);
  }

  /**
   * Adds a chunk the store does not have yet. Callers may add at once (assets stored together):
   * the frame being filled changes only synchronously, and a full one is sealed before the chunk
   * goes into the next; the promise waits for room among the frames on their way.
   */
  async add(id: Uint8Array, chunk: Uint8Array): Promise<void> {
    this.#inFlight.add(id);
    const sealing =
      this.#used > 0 && this.#used + chunk.length > FRAME_BYTES ? this.#seal() : undefined;
    if (chunk.length + IN_PLACE_HEADROOM > this.#buffer.length) {
      this.#buffer = Buffer.allocUnsafeSlow(chunk.length + IN_PLACE_HEADROOM);
    }
    this.#buffer.set(chunk, this.#used);
    this.#members.push({ id, within: this.#used });
    this.#used += chunk.length;
    await sealing;
  }

  /**
   * Appends a frame a worker has encoded already, all of whose members are new (`has` is false for
   * each). Resolves once it is queued, with `written`, which settles once the pack writer has the
   * frame (its buffer is free again). Frames gathered here but not yet sealed stay where they are.
   */
  async addEncoded(
    members: readonly ChunkInFrame[],
    frame: Uint8Array,
  ): Promise<{ readonly written: Promise<void> }> {
    for (const member of members) this.#inFlight.add(member.id);
    return this.#append(members, Promise.resolve({ data: frame }));
  }

  /** Seals the last frame and waits until every frame is in the pack writer. */
  async flush(): Promise<void> {
    if (this.#used > 0) await this.#seal();
    await Promise.all(this.#pending);
    this.#pending = [];
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Takes the frame being filled (before its first await: see `add`) and queues it compressed. */
  async #seal(): Promise<void> {
    const members = this.#members;
    const data = this.#buffer; // whole, so it moves to the worker; only `used` bytes count
    const used = this.#used;
    this.#buffer = this.#spare.pop() ?? Buffer.allocUnsafeSlow(FRAME_BUFFER_BYTES);
    this.#members = [];
    this.#used = 0;
    const { result } = await this.#runner.submit({
      data,
      cuts: [used],
      hash: false,
      compress: [0],
      framing: "blob",
      inPlace: true,
    });
    const frame = result.then((done) => {
      // Reused once written: fresh 512 KiB buffers per frame bloat RSS and busy the collector.
      const reuse = () => {
        if (done.data.length === FRAME_BUFFER_BYTES && this.#spare.length < MAX_PENDING_FRAMES) {
          this.#spare.push(done.data);
        }
      };
      return { data: done.compressed[0] as Uint8Array, onWritten: reuse };
    });
    await this.#append(members, frame);
  }

  /** Waits until fewer than MAX_PENDING_FRAMES frames are on their way. */
  async #room(): Promise<void> {
    while (this.#pending.length >= MAX_PENDING_FRAMES) await this.#pending.shift();
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * Queues a frame for the pack writer after the frames queued before it (the writer's calls are
   * serial anyway). Resolves once queued, with `written`, which never rejects (a failure is kept
   * for `flush`).
   */
  async #append(
    members: readonly ChunkInFrame[],
    frame: Promise<{ data: Uint8Array; onWritten?: () => void }>,
  ): Promise<{ readonly written: Promise<void> }> {
    await this.#room();
    const previous = this.#pending.at(-1) ?? Promise.resolve();
    const written = Promise.all([frame, previous])
      .then(async ([ready]) => {
        if (this.#failure === undefined) await this.#writer.addFrame(members, ready.data);
        ready.onWritten?.();
        for (const member of members) this.#inFlight.delete(member.id);
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
    this.#pending.push(written);
    return { written };
  }
}

import { Worker } from "node:worker_threads";
import { type CodecOptions, defaultCodecOptions } from "./codec.js";
import type { CodecTask, CodecTaskResult, DecodeTask, DecodeTaskResult } from "./codec-task.js";
import type { DecodeToFilesTask } from "./decode-to-files-task.js";
import { unpackBlobs, type WorkerReply } from "./worker-messages.js";

export interface CodecPoolOptions {
  /** Worker threads; one per core leaves the main thread for I/O. */
  readonly workers: number;
  readonly codec?: CodecOptions;
  /** Bytes of task data admitted and not yet answered; default 64 MiB. */
  readonly maxInFlightBytes?: number;
  /** The built worker script; defaults to codec-worker.js next to this module (in dist/). */
  readonly workerUrl?: URL;
}

/** Hashes and compresses chunk batches on worker threads with bounded memory. */
export interface CodecPool {
  /**
   * Admits a task once fewer than `maxInFlightBytes` are in flight (a task larger than the bound
   * is admitted alone) and resolves then, with the promise of its result. The task's data buffer
   * is moved to the worker (when the view spans its whole ArrayBuffer, else copied) and handed
   * back in the result.
   */
  submit(task: CodecTask): Promise<{ readonly result: Promise<CodecTaskResult> }>;
  submit(task: DecodeTask): Promise<{ readonly result: Promise<DecodeTaskResult> }>;
  submit(task: DecodeToFilesTask): Promise<{ readonly result: Promise<DecodeTaskResult> }>;
  /** Bytes of task data admitted and not yet answered. */
  readonly inFlightBytes: number;
  /** The most bytes ever in flight at once. */
  readonly peakInFlightBytes: number;
  /** Waits for admitted tasks to finish, then stops the workers. */
  close(): Promise<void>;
}

type AnyTask = CodecTask | DecodeTask | DecodeToFilesTask;

interface Pending {
  readonly bytes: number;
  resolve(result: CodecTaskResult | DecodeTaskResult): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

function ownedCopy(data: Uint8Array): Uint8Array {
  const whole =
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength &&
    data.buffer instanceof ArrayBuffer;
  return whole ? data : new Uint8Array(data);
}

/** Whether a buffer was moved to another thread (Node 20 has no `ArrayBuffer#detached`). */
function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength > 0 || !(buffer instanceof ArrayBuffer)) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Starts `workers` codec workers. */
export function createCodecPool(options: CodecPoolOptions): CodecPool {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`a codec pool needs at least one worker, got ${options.workers}`);
  }
  const maxInFlight = options.maxInFlightBytes ?? 64 * 1024 * 1024;
  const url = options.workerUrl ?? new URL("./codec-worker.js", import.meta.url);
  const codec = options.codec ?? defaultCodecOptions;
  let inFlight = 0;
  let peak = 0;
  let nextId = 1;
  let broken: Error | undefined;
  let closing = false;
  const waiting: Array<{ bytes: number; admit(): void; reject(error: Error): void }> = [];
  const unsettled = new Set<Promise<unknown>>();

  const slots: Slot[] = Array.from({ length: options.workers }, () => {
    const slot: Slot = { worker: new Worker(url, { workerData: { codec } }), pending: new Map() };
    slot.worker.on("message", (reply: WorkerReply) => settle(slot, reply));
    slot.worker.on("error", (error: unknown) =>
      fail(error instanceof Error ? error : new Error(String(error))),
    );
    slot.worker.on("exit", (code) => {
      if (!closing) fail(new Error(`codec worker exited with code ${code}`));
    });
    return slot;
  });

  function release(bytes: number): void {
    inFlight -= bytes;
    while (waiting.length > 0) {
      const next = waiting[0] as (typeof waiting)[number];
      if (inFlight > 0 && inFlight + next.bytes > maxInFlight) break;
      waiting.shift();
      // Counted here, not when the waiter resumes, so one release cannot admit past the bound.
      inFlight += next.bytes;
      peak = Math.max(peak, inFlight);
      next.admit();
    }
  }

  function settle(slot: Slot, reply: WorkerReply): void {
    const pending = slot.pending.get(reply.id);
    if (!pending) return;
    slot.pending.delete(reply.id);
    release(pending.bytes);
    if ("error" in reply) {
      const error = new Error(`codec worker: ${reply.error}`);
      pending.reject(reply.code === undefined ? error : Object.assign(error, { code: reply.code }));
    } else if ("decoded" in reply) pending.resolve(reply.decoded);
    else {
      const compressed = unpackBlobs(reply.packed, reply.lengths);
      const { data, ids, cuts, streamDigest, frameStarts } = reply;
      pending.resolve({
        data,
        ids,
        compressed,
        ...(cuts === undefined ? {} : { cuts }),
        ...(streamDigest === undefined ? {} : { streamDigest }),
        ...(frameStarts === undefined ? {} : { frameStarts }),
      });
    }
  }

  function fail(error: Error): void {
    broken ??= error;
    for (const slot of slots) {
      for (const [id, pending] of slot.pending) {
        slot.pending.delete(id);
        inFlight -= pending.bytes;
        pending.reject(error);
      }
    }
    for (const w of waiting.splice(0)) w.reject(error);
  }

  function dispatch(task: AnyTask, bytes: number): Promise<CodecTaskResult | DecodeTaskResult> {
    const affinity =
      task.kind === "decode" || task.kind === "decode-to-files" ? undefined : task.affinity;
    const slot =
      affinity === undefined
        ? slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
        : (slots[affinity % slots.length] as Slot);
    const id = nextId++;
    const result = new Promise<CodecTaskResult | DecodeTaskResult>((resolve, reject) => {
      slot.pending.set(id, { bytes, resolve, reject });
    });
    try {
      post(slot, id, task);
    } catch (error) {
      // Not sent (a detached buffer, say): nothing will answer, so settle it here.
      const pending = slot.pending.get(id) as Pending;
      slot.pending.delete(id);
      release(bytes);
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const tracked = result.catch(() => undefined);
    unsettled.add(tracked);
    void tracked.then(() => unsettled.delete(tracked));
    return result;
  }

  function post(slot: Slot, id: number, task: AnyTask): void {
    const out = task.kind === "decode" || task.kind === "decode-to-files" ? undefined : task.out;
    if (out !== undefined && !(out.buffer instanceof ArrayBuffer && out.byteOffset === 0)) {
      throw new RangeError("a task's out buffer must be a whole ArrayBuffer's view");
    }
    if (task.data.buffer instanceof SharedArrayBuffer) {
      // Shared with the worker as it is: nothing to copy or move (but `out` moves).
      if (out && isDetached(out.buffer)) throw new RangeError("a task's out buffer was moved away");
      slot.worker.postMessage({ id, task }, out ? [out.buffer as ArrayBuffer] : []);
    } else {
      const data = ownedCopy(task.data);
      const moved = [data.buffer as ArrayBuffer];
      if (out && out.buffer !== data.buffer) moved.push(out.buffer as ArrayBuffer);
      // A message moving a detached buffer is dropped without a word: its task would never end.
      if (moved.some(isDetached)) throw new RangeError("a task's buffer was moved away already");
      slot.worker.postMessage({ id, task: { ...task, data } }, moved);
    }
  }

  const pool = {
    async submit(task: AnyTask) {
      if (broken) throw broken;
      if (closing) throw new Error("the codec pool is closed");
      const bytes = task.data.byteLength;
      if (waiting.length > 0 || (inFlight > 0 && inFlight + bytes > maxInFlight)) {
        await new Promise<void>((admit, reject) => waiting.push({ bytes, admit, reject }));
      } else {
        inFlight += bytes;
        peak = Math.max(peak, inFlight);
      }
      if (broken) throw broken;
      return { result: dispatch(task, bytes) };
    },
    get inFlightBytes() {
      return inFlight;
    },
    get peakInFlightBytes() {
      return peak;
    },
    async close() {
      closing = true;
      await Promise.all(unsettled);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
  return pool as CodecPool;
}

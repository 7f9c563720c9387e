import { createHash } from "node:crypto";
import type { ObjectStore, StoredBlob } from "../../../ports/object-store.js";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import type { DecodeTask, DecodeTaskResult } from "../../codec/codec-task.js";
import type { TaskRunner } from "../../codec/task-runner.js";
import { type ChunkRef, chunkListHash } from "./cas-documents.js";

/** Stored bytes gathered into one decode task. */
const BATCH_BYTES = 2 * 1024 * 1024;
/** Decode tasks in flight ahead of the one being consumed. */
const DECODE_AHEAD = 6;

/** A stretch of a file, in order, and the chunks in it that failed their check. */
export interface FileStretch {
  readonly bytes: Uint8Array;
  readonly bad: readonly { readonly chunk: string; readonly problem: string }[];
}

/**
 * Streams a file's content from its chunk list: frames are read in large sequential reads,
 * decoded and checked against the chunk ids on the task runner (several batches in flight), and
 * yielded in order. A chunk that fails its check is reported in `bad` (its bytes are zero); a
 * missing or damaged stored frame throws (BLOB_MISSING / BLOB_CORRUPT).
 */
export async function* readChunkedFile(
  objects: ObjectStore,
  runner: TaskRunner,
  refs: readonly ChunkRef[],
): AsyncGenerator<FileStretch> {
  const inFlight: Promise<{ result: DecodeTaskResult; ids: readonly string[] }>[] = [];
  let batch = new DecodeBatch();

  const submit = async (): Promise<void> => {
    const task = batch.task();
    const ids = batch.ids;
    batch = new DecodeBatch();
    const { result } = await runner.submit(task);
    const next = result.then((r) => ({ result: r, ids }));
    next.catch(() => undefined); // awaited in order below; not unhandled meanwhile
    inFlight.push(next);
  };
  const take = async (): Promise<FileStretch> => {
    const { result, ids } = await (inFlight.shift() as (typeof inFlight)[number]);
    return {
      bytes: result.out,
      bad: result.bad.map(([piece, problem]) => ({ chunk: ids[piece] as string, problem })),
    };
  };

  let index = 0;
  for await (const blob of objects.getMany(refs.map((r) => r[0]))) {
    const length = (refs[index++] as ChunkRef)[1];
    batch.add(blob, length);
    if (batch.bytes >= BATCH_BYTES) {
      await submit();
      if (inFlight.length > DECODE_AHEAD) yield await take();
    }
  }
  if (batch.ids.length > 0) await submit();
  while (inFlight.length > 0) yield await take();
}

/** Frames (each stored once) and the pieces wanted from them, for one decode task. */
class DecodeBatch {
  readonly ids: string[] = [];
  readonly #frames: Uint8Array[] = [];
  readonly #index = new Map<Uint8Array, number>();
  readonly #pieces: [number, number, number, string][] = [];
  bytes = 0;

  add(blob: StoredBlob, length: number): void {
    let frame = this.#index.get(blob.data);
    if (frame === undefined) {
      frame = this.#frames.length;
      this.#frames.push(blob.data);
      this.#index.set(blob.data, frame);
      this.bytes += blob.data.length;
    }
    this.#pieces.push([frame, blob.within, length, blob.id]);
    this.ids.push(blob.id);
  }

  task(): DecodeTask {
    const data = new Uint8Array(new ArrayBuffer(this.bytes));
    const frameEnds: number[] = [];
    let at = 0;
    for (const frame of this.#frames) {
      data.set(frame, at);
      at += frame.length;
      frameEnds.push(at);
    }
    return { kind: "decode", data, frameEnds, pieces: this.#pieces };
  }
}

/**
 * How a file read back from its chunks is proven whole: by its chunk list's hash when the manifest
 * records one (every chunk is checked against its id as it is decoded), else by hashing it whole.
 */
export function contentCheck(
  file: SnapshotFile,
  refs: readonly ChunkRef[],
): { update(bytes: Uint8Array): void; problem(): string | undefined } {
  if (file.chunks !== undefined) {
    const listOk = chunkListHash(refs) === file.chunks;
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

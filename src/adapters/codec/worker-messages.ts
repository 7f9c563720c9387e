import type { DecodeTaskResult } from "./codec-task.js";

/**
 * A worker's answer to one task: a chunk task's result with every compressed blob in one
 * transferable, or a decode task's result.
 */
export type WorkerReply =
  | { readonly id: number; readonly decoded: DecodeTaskResult }
  | {
      readonly id: number;
      readonly data: Uint8Array;
      readonly ids: Uint8Array;
      readonly cuts?: number[];
      readonly packed: Uint8Array;
      readonly lengths: number[];
      readonly streamDigest?: string;
      readonly frameStarts?: number[];
    }
  | {
      readonly id: number;
      readonly error: string;
      /** The error's `code` (ENOSPC for a full disk under a worker's write), when it had one. */
      readonly code?: string;
    };

/**
 * Copies blobs back to back into one fresh buffer, so one transfer moves them all. One blob that
 * is a whole buffer, or blobs lying back to back in `moving` (a buffer moved back anyway: the
 * task's data with a frame encoded in place, or its `out` with frames encoded into it), go as they
 * are.
 */
export function packBlobs(
  blobs: readonly Uint8Array[],
  moving?: ArrayBufferLike,
): { packed: Uint8Array; lengths: number[] } {
  const lengths = blobs.map((b) => b.length);
  const only = blobs.length === 1 ? (blobs[0] as Uint8Array) : undefined;
  if (
    only &&
    only.buffer instanceof ArrayBuffer &&
    only.byteOffset === 0 &&
    only.byteLength === only.buffer.byteLength
  ) {
    return { packed: only, lengths }; // one whole blob (a stored frame) moves as it is
  }
  const first = blobs[0];
  if (first !== undefined && moving instanceof ArrayBuffer && backToBack(blobs, moving)) {
    const total = lengths.reduce((a, b) => a + b, 0);
    return { packed: new Uint8Array(moving, first.byteOffset, total), lengths };
  }
  const packed = new Uint8Array(new ArrayBuffer(lengths.reduce((a, b) => a + b, 0)));
  let at = 0;
  for (const b of blobs) {
    packed.set(b, at);
    at += b.length;
  }
  return { packed, lengths };
}

function backToBack(blobs: readonly Uint8Array[], buffer: ArrayBuffer): boolean {
  let at = (blobs[0] as Uint8Array).byteOffset;
  for (const blob of blobs) {
    if (blob.buffer !== buffer || blob.byteOffset !== at) return false;
    at += blob.length;
  }
  return true;
}

/** Views into `packed`, one per blob. */
export function unpackBlobs(packed: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  let at = 0;
  return lengths.map((len) => {
    const view = packed.subarray(at, at + len);
    at += len;
    return view;
  });
}

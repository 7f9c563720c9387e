import type { Codec } from "./codec.js";

/*
 * A stored blob ("frame") is one or more chunks back to back, compressed together: a kind byte
 * (0 raw, 1 compressed with the store's codec), the decoded length (u32 LE), then the payload. A
 * frame that does not shrink is kept raw, so incompressible data costs five bytes, not an inflated
 * frame; the recorded length lets a reader decode a frame without knowing its members.
 */
const RAW = 0;
const COMPRESSED = 1;
export const BLOB_HEADER_BYTES = 5;

/** This thread's buffer for compressed frames, grown to the largest bound seen. */
let compressScratch = new Uint8Array(0);

/**
 * Encodes `raw` as a stored frame: compressed into a reused buffer, then copied once into the
 * frame (one allocation per frame, not three: allocation churn of ~512 KiB buffers on the worker
 * threads cost ~100 MiB of resident memory through the allocator's arenas).
 */
export function encodeBlob(codec: Codec, raw: Uint8Array): Uint8Array {
  const bound = codec.compressBound(raw.length);
  if (compressScratch.length < bound) compressScratch = new Uint8Array(Math.max(bound, 1 << 20));
  const packed = codec.compressInto(raw, compressScratch);
  const useRaw = packed.length >= raw.length;
  const payload = useRaw ? raw : packed;
  const out = Buffer.allocUnsafe(BLOB_HEADER_BYTES + payload.length);
  out[0] = useRaw ? RAW : COMPRESSED;
  out.writeUInt32LE(raw.length, 1);
  out.set(payload, BLOB_HEADER_BYTES);
  return out;
}

/** The most bytes `encodeBlobInto` writes for `length` raw bytes. */
export function encodedBound(codec: Codec, length: number): number {
  return BLOB_HEADER_BYTES + Math.max(length, codec.compressBound(length));
}

/**
 * Encodes `raw` as a stored frame into `into` (at least `encodedBound(raw.length)` bytes),
 * compressing straight into it; returns the bytes written.
 */
export function encodeBlobInto(codec: Codec, raw: Uint8Array, into: Uint8Array): number {
  const packed = codec.compressInto(raw, into.subarray(BLOB_HEADER_BYTES));
  const useRaw = packed.length >= raw.length;
  if (useRaw) into.set(raw, BLOB_HEADER_BYTES);
  into[0] = useRaw ? RAW : COMPRESSED;
  new DataView(into.buffer, into.byteOffset, BLOB_HEADER_BYTES).setUint32(1, raw.length, true);
  return BLOB_HEADER_BYTES + (useRaw ? raw.length : packed.length);
}

/** Room a buffer needs beyond the raw bytes for `encodeBlobInPlace` (a raw frame's header). */
export const IN_PLACE_HEADROOM = BLOB_HEADER_BYTES;

/**
 * Encodes the first `length` bytes of `buffer` as a stored frame written over them, from byte 0:
 * compressed through the reused scratch buffer, or kept raw and moved up by the header. Returns
 * the frame as a view of `buffer`, so a frame buffer goes round trip to a worker without any new
 * allocation. `buffer` needs IN_PLACE_HEADROOM bytes beyond `length`.
 */
export function encodeBlobInPlace(codec: Codec, buffer: Uint8Array, length: number): Uint8Array {
  if (buffer.length < length + IN_PLACE_HEADROOM) {
    throw new RangeError(`in-place frame needs ${IN_PLACE_HEADROOM} bytes of headroom`);
  }
  const raw = buffer.subarray(0, length);
  const bound = codec.compressBound(length);
  if (compressScratch.length < bound) compressScratch = new Uint8Array(Math.max(bound, 1 << 20));
  const packed = codec.compressInto(raw, compressScratch);
  const useRaw = packed.length >= length;
  if (useRaw) buffer.copyWithin(BLOB_HEADER_BYTES, 0, length);
  else buffer.set(packed, BLOB_HEADER_BYTES);
  buffer[0] = useRaw ? RAW : COMPRESSED;
  new DataView(buffer.buffer, buffer.byteOffset, BLOB_HEADER_BYTES).setUint32(1, length, true);
  return buffer.subarray(0, BLOB_HEADER_BYTES + (useRaw ? length : packed.length));
}

/** Decodes a stored frame to its raw bytes; throws (CHUNK_UNREADABLE or Error) when damaged. */
export function decodeBlob(codec: Codec, blob: Uint8Array): Uint8Array {
  return decodeBlobWith(codec, blob, undefined);
}

/**
 * Decodes a stored frame into `scratch(length)` (a buffer of at least `length` + 1 bytes the
 * caller reuses), or returns a view of `blob` itself for a raw frame. The result is valid until
 * the scratch buffer is used again.
 */
export function decodeBlobInto(
  codec: Codec,
  blob: Uint8Array,
  scratch: (length: number) => Uint8Array,
): Uint8Array {
  return decodeBlobWith(codec, blob, scratch);
}

function decodeBlobWith(
  codec: Codec,
  blob: Uint8Array,
  scratch: ((length: number) => Uint8Array) | undefined,
): Uint8Array {
  if (blob.length < BLOB_HEADER_BYTES) throw new Error("stored frame shorter than its header");
  const length =
    ((blob[1] as number) |
      ((blob[2] as number) << 8) |
      ((blob[3] as number) << 16) |
      ((blob[4] as number) << 24)) >>>
    0;
  const payload = blob.subarray(BLOB_HEADER_BYTES);
  if (blob[0] === RAW) {
    if (payload.length !== length) throw new Error("raw frame length does not match its header");
    return payload;
  }
  if (blob[0] === COMPRESSED) {
    return scratch === undefined
      ? codec.decompress(payload, length)
      : codec.decompressInto(payload, length, scratch(length));
  }
  throw new Error(`unknown frame encoding ${blob[0]}`);
}

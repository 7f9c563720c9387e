/** The narrow part of a hash + compression codec the store needs (see adapters/codec). */
export interface HashCompressor {
  hashOf(data: Uint8Array): string;
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, expectedLength: number): Uint8Array;
}

/** Hashes and (de)compresses chunks. A stored blob is one codec byte followed by the payload. */
export interface ChunkCodec {
  /** Lowercase hex id of the uncompressed chunk. */
  hash(data: Uint8Array): string;
  encode(data: Uint8Array): Uint8Array;
  /** Decodes a blob back into the chunk; `length` is the chunk's recorded size. */
  decode(blob: Uint8Array, length: number): Uint8Array;
}

const RAW = 0;
const COMPRESSED = 1;

/**
 * Wraps a hash+compression codec for chunk storage: a chunk that does not shrink is kept raw, so
 * incompressible data costs one byte, not an inflated frame.
 */
export function chunkCodecFrom(codec: HashCompressor): ChunkCodec {
  return {
    hash: (data) => codec.hashOf(data),
    encode(data) {
      const packed = codec.compress(data);
      const useRaw = packed.length >= data.length;
      const payload = useRaw ? data : packed;
      const out = new Uint8Array(payload.length + 1);
      out[0] = useRaw ? RAW : COMPRESSED;
      out.set(payload, 1);
      return out;
    },
    decode(blob, length) {
      const payload = blob.subarray(1);
      if (blob[0] === RAW) return payload;
      if (blob[0] === COMPRESSED) return codec.decompress(payload, length);
      throw new Error(`unknown chunk encoding ${blob[0]}`);
    },
  };
}

import { hash as oneShotHash } from "node:crypto";
import { createRequire } from "node:module";
import zlib from "node:zlib";
import { ShipsafeError } from "../../domain/errors.js";

/** Collision-resistant hashes only: a chunk's hash is its identity in the object store. */
export type HashAlgorithm = "sha256" | "sha512-256" | "blake2b512";
export type CompressionAlgorithm = "zstd" | "brotli" | "gzip" | "none";

export interface CodecOptions {
  readonly hash: HashAlgorithm;
  readonly compression: CompressionAlgorithm;
  /** zstd level, brotli quality or gzip level; ignored for "none". */
  readonly level: number;
}

/** Hashes and compresses chunks; one instance per thread (it keeps compression contexts). */
export interface Codec {
  readonly options: CodecOptions;
  /** The lowercase hex digest of `data`. */
  hashOf(data: Uint8Array): string;
  /**
   * Writes the digest of `data` into `into` at `at` (no string made: ids travel in binary where
   * there are many of them). Returns its length in bytes.
   */
  digestInto(data: Uint8Array, into: Uint8Array, at: number): number;
  compress(data: Uint8Array): Uint8Array;
  /**
   * Compresses into `into` (at least `compressBound(data.length)` bytes) and returns the view of
   * it written: a writer compressing frame after frame reuses one buffer.
   */
  compressInto(data: Uint8Array, into: Uint8Array): Uint8Array;
  /** The most bytes compressing `length` bytes can produce. */
  compressBound(length: number): number;
  /** Decompresses and checks that exactly `expectedLength` bytes came out. */
  decompress(data: Uint8Array, expectedLength: number): Uint8Array;
  /**
   * The same into `into` (at least `expectedLength` bytes), returning the view of it written:
   * readers decoding frame after frame reuse one buffer instead of allocating one per frame.
   */
  decompressInto(data: Uint8Array, expectedLength: number, into: Uint8Array): Uint8Array;
}

/** Chosen by measurement (docs/performance.md, "Hash and compression choice"). */
export const defaultCodecOptions: CodecOptions = { hash: "sha256", compression: "zstd", level: 3 };

interface Compression {
  compress(data: Uint8Array): Uint8Array;
  /** Writes into `into` (compressBound bytes) and returns the byte count; absent: compress, copy. */
  compressInto?(data: Uint8Array, into: Uint8Array): number;
  bound?(length: number): number;
  decompress(data: Uint8Array, expectedLength: number): Uint8Array;
  /** Writes into `into` and returns the byte count; absent: decompress, then copy. */
  decompressInto?(data: Uint8Array, into: Uint8Array): number;
}

/** The subset of `zstd-napi` the codec uses. */
interface ZstdNapi {
  Decompressor: new () => { decompress(data: Uint8Array): Uint8Array };
}

/** zstd-napi's low-level contexts: `ZSTD_decompressDCtx` and `ZSTD_compress2` into given buffers. */
interface ZstdBinding {
  DCtx: new () => { decompress(dstBuf: Uint8Array, srcBuf: Uint8Array): number };
  CCtx: new () => {
    setParameter(param: number, value: number): void;
    compress2(dstBuf: Uint8Array, srcBuf: Uint8Array): number;
  };
  CParameter: Record<
    "compressionLevel" | "hashLog" | "chainLog" | "minMatch" | "checksumFlag",
    number
  >;
  compressBound(length: number): number;
}

function loadZstd(): ZstdNapi & { binding: ZstdBinding } {
  try {
    const require = createRequire(import.meta.url);
    return {
      ...(require("zstd-napi") as ZstdNapi),
      binding: require("zstd-napi/binding") as ZstdBinding,
    };
  } catch (cause) {
    throw new ShipsafeError(
      {
        code: "CODEC_UNAVAILABLE",
        kind: "config",
        message: "zstd compression needs the package zstd-napi, which could not be loaded",
        hint: "Reinstall shipsafe's dependencies (npm ci) so zstd-napi is built, or choose brotli",
      },
      { cause },
    );
  }
}

/** `ZSTD_c_blockSplitterLevel` (zstd >= 1.5.7, experimental, so zstd-napi has no name for it). */
const ZSTD_C_BLOCK_SPLITTER_LEVEL = 1017;

/**
 * Level 3 with smaller match tables (hash 2^16, chain 2^13 entries: 288 KiB, not 768 KiB), matches
 * from 4 bytes (not 5) and no pre-splitting of blocks. Measured on the benchmark's data, single
 * thread, against level 3's defaults in the 512 KiB frames used before (docs/performance.md, "zstd
 * parameters"): database pages in 2 MiB frames 13% faster and 1.5% smaller; config text in 512 KiB
 * frames 6% faster and 1.6% larger (a sixth of the bytes there).
 */
const TUNED_LEVELS: Readonly<
  Record<number, { hashLog: number; chainLog: number; minMatch: number }>
> = {
  3: { hashLog: 16, chainLog: 13, minMatch: 4 },
};

function zstd(level: number): Compression {
  const z = loadZstd();
  const decompressor = new z.Decompressor();
  const dctx = new z.binding.DCtx();
  const cctx = new z.binding.CCtx();
  const p = z.binding.CParameter;
  cctx.setParameter(p.compressionLevel, level);
  cctx.setParameter(p.checksumFlag, 0); // the chunk ids check content
  const tuned = TUNED_LEVELS[level];
  if (tuned) {
    cctx.setParameter(p.hashLog, tuned.hashLog);
    cctx.setParameter(p.chainLog, tuned.chainLog);
    cctx.setParameter(p.minMatch, tuned.minMatch);
    try {
      cctx.setParameter(ZSTD_C_BLOCK_SPLITTER_LEVEL, 1); // 1: never split before matching
    } catch {
      // A zstd before 1.5.7 has no pre-splitting to turn off.
    }
  }
  const bound = (length: number) => z.binding.compressBound(length);
  const compressInto = (data: Uint8Array, into: Uint8Array) => cctx.compress2(into, data);
  return {
    compress(data) {
      const into = new Uint8Array(bound(data.length));
      return into.slice(0, compressInto(data, into));
    },
    compressInto,
    bound,
    decompress: (data) => decompressor.decompress(data),
    decompressInto: (data, into) => dctx.decompress(into, data),
  };
}

function brotli(quality: number): Compression {
  const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality };
  return {
    compress: (data) => zlib.brotliCompressSync(data, { params }),
    decompress: (data, expectedLength) =>
      zlib.brotliDecompressSync(data, { maxOutputLength: Math.max(1, expectedLength) }),
  };
}

function gzip(level: number): Compression {
  return {
    compress: (data) => zlib.gzipSync(data, { level }),
    decompress: (data, expectedLength) =>
      zlib.gunzipSync(data, { maxOutputLength: Math.max(1, expectedLength) }),
  };
}

const none: Compression = { compress: (data) => data, decompress: (data) => data };

function compressionFor(options: CodecOptions): Compression {
  switch (options.compression) {
    case "zstd":
      return zstd(options.level);
    case "brotli":
      return brotli(options.level);
    case "gzip":
      return gzip(options.level);
    case "none":
      return none;
  }
}

function unreadable(options: CodecOptions, detail: string, cause?: unknown): ShipsafeError {
  return new ShipsafeError(
    {
      code: "CHUNK_UNREADABLE",
      kind: "runtime",
      message: `a stored chunk does not decompress with ${options.compression}: ${detail}`,
      hint: "The chunk is damaged; run `shipsafe snapshot verify` to find the snapshots that use it",
    },
    cause === undefined ? undefined : { cause },
  );
}

/** A codec for one hash and one compression; throws CODEC_UNAVAILABLE if zstd cannot load. */
export function createCodec(options: CodecOptions = defaultCodecOptions): Codec {
  const compression = compressionFor(options);
  const algorithm = options.hash;
  return {
    options,
    hashOf: (data) => oneShotHash(algorithm, data, "hex"),
    digestInto(data, into, at) {
      const digest = oneShotHash(algorithm, data, "buffer") as unknown as Buffer;
      if (at + digest.length > into.length) {
        throw new RangeError(
          `no room for a ${digest.length}-byte digest at ${at} of ${into.length}`,
        );
      }
      into.set(digest, at);
      return digest.length;
    },
    compress: (data) => compression.compress(data),
    compressBound: (length) =>
      compression.bound ? compression.bound(length) : length + (length >> 7) + 1024,
    compressInto(data, into) {
      if (!compression.compressInto) {
        const out = compression.compress(data);
        into.set(out);
        return into.subarray(0, out.length);
      }
      return into.subarray(0, compression.compressInto(data, into));
    },
    decompress(data, expectedLength) {
      let out: Uint8Array;
      try {
        out = compression.decompress(data, expectedLength);
      } catch (cause) {
        throw unreadable(options, cause instanceof Error ? cause.message : String(cause), cause);
      }
      if (out.length !== expectedLength) {
        throw unreadable(options, `${out.length} bytes came out, ${expectedLength} expected`);
      }
      return out;
    },
    decompressInto(data, expectedLength, into) {
      if (!compression.decompressInto) {
        const out = this.decompress(data, expectedLength);
        into.set(out);
        return into.subarray(0, out.length);
      }
      let written: number;
      try {
        // One byte of room beyond the expected length, so a frame that decodes longer is caught.
        written = compression.decompressInto(data, into.subarray(0, expectedLength + 1));
      } catch (cause) {
        throw unreadable(options, cause instanceof Error ? cause.message : String(cause), cause);
      }
      if (written !== expectedLength) {
        throw unreadable(options, `${written} bytes came out, ${expectedLength} expected`);
      }
      return into.subarray(0, written);
    },
  };
}

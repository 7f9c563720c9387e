import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { crc32 } from "node:zlib";

/** Bytes of zlib's own gzip header, which the bundle header replaces. */
export const ZLIB_HEADER_BYTES = 10;

/**
 * The fixed start of the gzip header bundles carry: FLG = FEXTRA only, mtime 0, XFL 0, OS 255,
 * then one extra subfield `SS` of 32 bytes: the sha256 of every byte after the header (the deflate
 * stream and the gzip trailer). gzip readers skip the subfield; `evidence verify` checks it, so a
 * change to any byte of the file is caught, also where deflate would ignore it (unused bits).
 */
export const GZIP_HEADER_START = Buffer.from([
  0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0x00, 0xff, 36, 0, 0x53, 0x53, 32, 0,
]);
export const GZIP_HEADER_BYTES = GZIP_HEADER_START.length + 32;

/** The bundle's gzip header for a body (deflate stream + trailer) with this sha256. */
export function gzipHeader(bodySha256: Buffer): Buffer {
  return Buffer.concat([GZIP_HEADER_START, bodySha256]);
}

/** A gzip file as zlib wrote it, re-framed with the bundle header (for in-memory use). */
export function framedGzip(zlibGzip: Buffer): Buffer {
  const body = zlibGzip.subarray(ZLIB_HEADER_BYTES);
  return Buffer.concat([gzipHeader(createHash("sha256").update(body).digest()), body]);
}

/** Counts, CRCs and bounds decompressed bytes; fails past `limit`. */
export class InflatedBytes extends Transform {
  bytes = 0;
  crc = 0;

  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(this.tooLarge());
      return;
    }
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }
}

/** The trailer a single-member gzip of these bytes ends with: CRC-32 then length mod 2^32. */
export function expectedTrailer(crc: number, bytes: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(bytes % 2 ** 32, 4);
  return trailer;
}

import { crc32 } from "node:zlib";
import { ID_BYTES } from "./blob-table.js";

/**
 * A pack file is its frames back to back, then a trailer listing each blob (id, offset, length and
 * CRC-32 of the frame holding it, and the blob's offset in the decoded frame), then a fixed footer — so an index can be rebuilt from the packs alone. The
 * footer's random nonce makes every pack's name (the sha256 of the whole file) unique, even when
 * two writers store the same blobs in the same order.
 */
export const PACK_MAGIC = "SSPACK02";
export const TRAILER_ENTRY_BYTES = ID_BYTES + 16;
/** nonce (16) + entry count (4) + trailer CRC-32 (4) + magic (8). */
export const FOOTER_BYTES = 32;
/** Offsets and lengths are 32-bit in the trailer and index. */
export const MAX_PACK_BYTES = 0xffff_ffff;

export interface PackEntry {
  readonly id: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  /** Offset of the blob in its frame's decoded bytes. */
  readonly within: number;
}

/** The bytes that follow the blobs: trailer entries and footer. */
export function encodeTrailer(entries: readonly PackEntry[], nonce: Uint8Array): Buffer {
  const out = Buffer.alloc(entries.length * TRAILER_ENTRY_BYTES + FOOTER_BYTES);
  let at = 0;
  for (const entry of entries) {
    out.set(entry.id, at);
    out.writeUInt32LE(entry.offset, at + ID_BYTES);
    out.writeUInt32LE(entry.length, at + ID_BYTES + 4);
    out.writeUInt32LE(entry.crc, at + ID_BYTES + 8);
    out.writeUInt32LE(entry.within, at + ID_BYTES + 12);
    at += TRAILER_ENTRY_BYTES;
  }
  out.set(nonce.subarray(0, 16), at);
  out.writeUInt32LE(entries.length, at + 16);
  out.writeUInt32LE(crc32(out.subarray(0, at)), at + 20);
  out.write(PACK_MAGIC, at + 24, "latin1");
  return out;
}

/** The trailer entries of a whole pack file, or a problem saying why they cannot be trusted. */
export function decodeTrailer(pack: Uint8Array): { entries: PackEntry[] } | { problem: string } {
  const bytes = Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength);
  if (bytes.length < FOOTER_BYTES) return { problem: "shorter than a pack footer" };
  const footer = bytes.length - FOOTER_BYTES;
  if (bytes.toString("latin1", footer + 24, footer + 32) !== PACK_MAGIC) {
    return { problem: "no pack footer (not a pack, or truncated)" };
  }
  const count = bytes.readUInt32LE(footer + 16);
  const start = footer - count * TRAILER_ENTRY_BYTES;
  if (start < 0) return { problem: `footer claims ${count} blobs, more than the file holds` };
  if (crc32(bytes.subarray(start, footer)) !== bytes.readUInt32LE(footer + 20)) {
    return { problem: "trailer checksum mismatch" };
  }
  const entries: PackEntry[] = [];
  for (let at = start; at < footer; at += TRAILER_ENTRY_BYTES) {
    const entry = {
      id: bytes.subarray(at, at + ID_BYTES),
      offset: bytes.readUInt32LE(at + ID_BYTES),
      length: bytes.readUInt32LE(at + ID_BYTES + 4),
      crc: bytes.readUInt32LE(at + ID_BYTES + 8),
      within: bytes.readUInt32LE(at + ID_BYTES + 12),
    };
    if (entry.offset + entry.length > start) return { problem: "trailer points past the blobs" };
    entries.push(entry);
  }
  return { entries };
}

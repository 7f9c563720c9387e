import { crc32 } from "node:zlib";
import { ID_BYTES } from "./blob-table.js";

/**
 * A pack file is its frames back to back, then a trailer, then a fixed footer. The trailer lists
 * each frame (offset, length, CRC-32, member count) followed by its members (offset and size in
 * the decoded frame): no ids, so it costs ~8 bytes a blob where the index costs 52. An index is
 * rebuilt from the packs alone by decoding each frame and hashing each member's bytes. The
 * footer's random nonce makes every pack's name (the sha256 of its trailer and footer; of the whole
 * file for packs written by earlier versions) unique, even when two writers store the same blobs
 * in the same order.
 */
export const PACK_MAGIC = "SSPACK03";
/** Packs written before sizes were recorded: a 48-byte trailer entry per blob, ids included. */
export const PACK_MAGIC_V2 = "SSPACK02";
/** offset (4) + length (4) + CRC-32 (4) + member count (4). */
const TRAILER_FRAME_BYTES = 16;
/** within (4) + size (4). */
const TRAILER_MEMBER_BYTES = 8;
/**
 * nonce (16) + frame count (4) + member count (4) + CRC-32 (4) of everything from the trailer's
 * start up to it (counts included) + magic (8).
 */
export const FOOTER_BYTES = 36;
const V2_ENTRY_BYTES = ID_BYTES + 16;
/** nonce (16) + entry count (4) + CRC-32 of the entries (4) + magic (8). */
const V2_FOOTER_BYTES = 32;
/** Offsets and lengths are 32-bit in the trailer and index. */
export const MAX_PACK_BYTES = 0xffff_ffff;

/** Where a blob is: the stored extent and CRC-32 of its frame, and its offset once decoded. */
export interface PackEntry {
  readonly id: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  /** Offset of the blob in its frame's decoded bytes. */
  readonly within: number;
}

/** A blob's bytes in its frame's decoded bytes: [within, within + size). */
export interface MemberExtent {
  readonly within: number;
  readonly size: number;
}

/** One frame as the trailer records it. */
export interface TrailerFrame {
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  /** In the order the frame holds them. */
  readonly members: readonly MemberExtent[];
}

export type DecodedTrailer =
  | { readonly format: typeof PACK_MAGIC; readonly frames: TrailerFrame[] }
  | { readonly format: typeof PACK_MAGIC_V2; readonly entries: PackEntry[] }
  | { readonly problem: string };

/** Trailer and footer bytes of a pack holding `frames` frames of `members` blobs in all. */
export function trailerBytes(frames: number, members: number): number {
  return frames * TRAILER_FRAME_BYTES + members * TRAILER_MEMBER_BYTES + FOOTER_BYTES;
}

/** The bytes that follow the frames: each frame's record then its members', then the footer. */
export function encodeTrailer(frames: readonly TrailerFrame[], nonce: Uint8Array): Buffer {
  const members = frames.reduce((sum, frame) => sum + frame.members.length, 0);
  const out = Buffer.alloc(trailerBytes(frames.length, members));
  let at = 0;
  for (const frame of frames) {
    out.writeUInt32LE(frame.offset, at);
    out.writeUInt32LE(frame.length, at + 4);
    out.writeUInt32LE(frame.crc, at + 8);
    out.writeUInt32LE(frame.members.length, at + 12);
    at += TRAILER_FRAME_BYTES;
    for (const member of frame.members) {
      out.writeUInt32LE(member.within, at);
      out.writeUInt32LE(member.size, at + 4);
      at += TRAILER_MEMBER_BYTES;
    }
  }
  out.set(nonce.subarray(0, 16), at);
  out.writeUInt32LE(frames.length, at + 16);
  out.writeUInt32LE(members, at + 20);
  // Covers the nonce and counts too, so a damaged count is a checksum mismatch, not a misparse.
  out.writeUInt32LE(crc32(out.subarray(0, at + 24)), at + 24);
  out.write(PACK_MAGIC, at + 28, "latin1");
  return out;
}

/**
 * Where an SSPACK03 pack's trailer starts (its frames end), from the counts in its footer; undefined
 * for any other file or counts that do not fit it. The pack's name hashes the bytes from there on.
 */
export function trailerStart(pack: Uint8Array): number | undefined {
  if (pack.length < FOOTER_BYTES) return undefined;
  const bytes = Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength);
  if (bytes.toString("latin1", bytes.length - 8) !== PACK_MAGIC) return undefined;
  const footer = bytes.length - FOOTER_BYTES;
  const start =
    bytes.length - trailerBytes(bytes.readUInt32LE(footer + 16), bytes.readUInt32LE(footer + 20));
  return start >= 0 ? start : undefined;
}

/** The trailer of a whole pack file (SSPACK03 or SSPACK02), or a problem saying why not. */
export function decodeTrailer(pack: Uint8Array): DecodedTrailer {
  const bytes = Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength);
  const magic = bytes.length >= 8 ? bytes.toString("latin1", bytes.length - 8) : "";
  if (magic === PACK_MAGIC) return decodeV3(bytes);
  if (magic === PACK_MAGIC_V2) return decodeV2(bytes);
  return { problem: "no pack footer (not a pack, or truncated)" };
}

function decodeV3(bytes: Buffer): DecodedTrailer {
  if (bytes.length < FOOTER_BYTES) return { problem: "shorter than a pack footer" };
  const footer = bytes.length - FOOTER_BYTES;
  const frameCount = bytes.readUInt32LE(footer + 16);
  const memberCount = bytes.readUInt32LE(footer + 20);
  const start = bytes.length - trailerBytes(frameCount, memberCount);
  if (start < 0) {
    const claim = `${frameCount} frames of ${memberCount} blobs`;
    return { problem: `footer claims ${claim}, more than the file holds` };
  }
  if (crc32(bytes.subarray(start, footer + 24)) !== bytes.readUInt32LE(footer + 24)) {
    return { problem: "trailer checksum mismatch" };
  }
  const frames: TrailerFrame[] = [];
  let at = start;
  for (let f = 0; f < frameCount; f++) {
    if (at + TRAILER_FRAME_BYTES > footer) return { problem: "member counts exceed the footer's" };
    const offset = bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    const crc = bytes.readUInt32LE(at + 8);
    const count = bytes.readUInt32LE(at + 12);
    at += TRAILER_FRAME_BYTES;
    if (offset + length > start) return { problem: "trailer points past the frames" };
    if (at + count * TRAILER_MEMBER_BYTES > footer) {
      return { problem: "member counts exceed the footer's" };
    }
    const members: MemberExtent[] = [];
    for (let m = 0; m < count; m++, at += TRAILER_MEMBER_BYTES) {
      members.push({ within: bytes.readUInt32LE(at), size: bytes.readUInt32LE(at + 4) });
    }
    frames.push({ offset, length, crc, members });
  }
  if (at !== footer) return { problem: "member counts fall short of the footer's" };
  return { format: PACK_MAGIC, frames };
}

function decodeV2(bytes: Buffer): DecodedTrailer {
  if (bytes.length < V2_FOOTER_BYTES) return { problem: "shorter than a pack footer" };
  const footer = bytes.length - V2_FOOTER_BYTES;
  const count = bytes.readUInt32LE(footer + 16);
  const start = footer - count * V2_ENTRY_BYTES;
  if (start < 0) return { problem: `footer claims ${count} blobs, more than the file holds` };
  if (crc32(bytes.subarray(start, footer)) !== bytes.readUInt32LE(footer + 20)) {
    return { problem: "trailer checksum mismatch" };
  }
  const entries: PackEntry[] = [];
  for (let at = start; at < footer; at += V2_ENTRY_BYTES) {
    const entry = {
      id: bytes.subarray(at, at + ID_BYTES),
      offset: bytes.readUInt32LE(at + ID_BYTES),
      length: bytes.readUInt32LE(at + ID_BYTES + 4),
      crc: bytes.readUInt32LE(at + ID_BYTES + 8),
      within: bytes.readUInt32LE(at + ID_BYTES + 12),
    };
    if (entry.offset + entry.length > start) return { problem: "trailer points past the frames" };
    entries.push(entry);
  }
  return { format: PACK_MAGIC_V2, entries };
}

import { createHash } from "node:crypto";
import { type BlobTable, ID_BYTES } from "./blob-table.js";

/**
 * An index file lists packs (id, size) and blobs (id, pack number, offset, length, CRC-32, offset in
 * the frame) in a compact binary table: 52 bytes per blob, about 13.5 MB for 260,000 blobs where
 * JSON would take twice that and parse far slower. Its name is the sha256 of its bytes, checked on
 * load.
 */
const MAGIC = "SSIDX002";
const HEADER_BYTES = 16;
const PACK_BYTES = ID_BYTES + 8;
export const INDEX_ENTRY_BYTES = ID_BYTES + 20;
export const INDEX_FILE = /^[0-9a-f]{64}\.idx$/;

export interface IndexPack {
  readonly id: string;
  readonly size: number;
}

export interface DecodedIndex {
  readonly packs: readonly IndexPack[];
  readonly count: number;
  /**
   * Entry i is at `i * INDEX_ENTRY_BYTES`: id, pack (u32), offset (u32), length (u32), crc (u32),
   * within (u32).
   */
  readonly entries: Buffer;
}

/** Encodes `table`, whose pack numbers index `packs`. */
export function encodeIndex(packs: readonly IndexPack[], table: BlobTable): Buffer {
  const out = Buffer.alloc(
    HEADER_BYTES + packs.length * PACK_BYTES + table.size * INDEX_ENTRY_BYTES,
  );
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(packs.length, 8);
  out.writeUInt32LE(table.size, 12);
  let at = HEADER_BYTES;
  for (const pack of packs) {
    out.write(pack.id, at, "hex");
    out.writeUInt32LE(pack.size % 0x1_0000_0000, at + ID_BYTES);
    out.writeUInt32LE(Math.floor(pack.size / 0x1_0000_0000), at + ID_BYTES + 4);
    at += PACK_BYTES;
  }
  for (let i = 0; i < table.size; i++) {
    out.set(table.idBytes(i), at);
    out.writeUInt32LE(table.pack(i), at + ID_BYTES);
    out.writeUInt32LE(table.offset(i), at + ID_BYTES + 4);
    out.writeUInt32LE(table.length(i), at + ID_BYTES + 8);
    out.writeUInt32LE(table.crc(i), at + ID_BYTES + 12);
    out.writeUInt32LE(table.within(i), at + ID_BYTES + 16);
    at += INDEX_ENTRY_BYTES;
  }
  return out;
}

export function indexFileName(bytes: Uint8Array): string {
  return `${createHash("sha256").update(bytes).digest("hex")}.idx`;
}

/** Decodes an index file named `name`; a problem when its bytes do not match its name. */
export function decodeIndex(name: string, bytes: Buffer): DecodedIndex | { problem: string } {
  if (indexFileName(bytes) !== name) return { problem: "its bytes do not match its name" };
  if (bytes.length < HEADER_BYTES || bytes.toString("latin1", 0, 8) !== MAGIC) {
    return { problem: "not a shipsafe pack index" };
  }
  const packCount = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  const entriesAt = HEADER_BYTES + packCount * PACK_BYTES;
  if (bytes.length !== entriesAt + count * INDEX_ENTRY_BYTES) return { problem: "wrong length" };
  const packs: IndexPack[] = [];
  for (let at = HEADER_BYTES; at < entriesAt; at += PACK_BYTES) {
    packs.push({
      id: bytes.toString("hex", at, at + ID_BYTES),
      size:
        bytes.readUInt32LE(at + ID_BYTES) + bytes.readUInt32LE(at + ID_BYTES + 4) * 0x1_0000_0000,
    });
  }
  const entries = bytes.subarray(entriesAt);
  for (let i = 0; i < count; i++) {
    if (entries.readUInt32LE(i * INDEX_ENTRY_BYTES + ID_BYTES) >= packCount) {
      return { problem: `entry ${i} names a pack beyond the ${packCount} listed` };
    }
  }
  return { packs, count, entries };
}

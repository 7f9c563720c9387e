import { createHash } from "node:crypto";
import { type BlobColumns, type BlobTable, blobColumns, ID_BYTES } from "./blob-table.js";

/**
 * An index file lists packs (id, size), the frames in them (pack number, offset, length, CRC-32)
 * and the blobs (id, frame number, offset in the decoded frame) in a compact binary table: 40
 * bytes per blob plus 16 per frame of ~128 blobs, about 11.3 MB for 281,000 blobs, where JSON would
 * take three times that and parse far slower. Its name is the sha256 of its bytes, checked on
 * load. Version 2 files (52 bytes per blob, each repeating its frame's location) are still read.
 */
const MAGIC = "SSIDX003";
const MAGIC_V2 = "SSIDX002";
const HEADER_BYTES = 24;
const HEADER_V2_BYTES = 16;
const PACK_BYTES = ID_BYTES + 8;
const FRAME_BYTES = 16;
const BLOB_BYTES = ID_BYTES + 8;
/** A version 2 file's entry: id, pack, offset, length, crc, within (u32 each). */
const INDEX_ENTRY_BYTES = ID_BYTES + 20;
export const INDEX_FILE = /^[0-9a-f]{64}\.idx$/;

export interface IndexPack {
  readonly id: string;
  readonly size: number;
}

export interface DecodedIndex {
  readonly packs: readonly IndexPack[];
  readonly count: number;
  /** Blob i's id and location, the pack numbered as in `packs`: the form a BlobTable holds. */
  readonly columns: BlobColumns;
}

/** Encodes `table`, whose pack numbers index `packs`; blobs of one frame share its entry. */
export function encodeIndex(packs: readonly IndexPack[], table: BlobTable): Buffer {
  const frameOf = new Map<number, number>();
  const oddFrames = new Map<string, number>();
  const frames: number[] = []; // a table entry of each frame
  const blobFrames = new Uint32Array(table.size);
  for (let i = 0; i < table.size; i++) {
    // Pack numbers stay far below 2^21, so the key is an exact integer.
    const key = table.pack(i) * 0x1_0000_0000 + table.offset(i);
    let frame = frameOf.get(key);
    const first = frame === undefined ? undefined : (frames[frame] as number);
    if (
      first !== undefined &&
      (table.length(first) !== table.length(i) || table.crc(first) !== table.crc(i))
    ) {
      // An empty frame shares its offset with the next one: told apart by length and CRC.
      const exact = `${key}:${table.length(i)}:${table.crc(i)}`;
      frame = oddFrames.get(exact);
      if (frame === undefined) {
        frame = frames.length;
        frames.push(i);
        oddFrames.set(exact, frame);
      }
    } else if (frame === undefined) {
      frame = frames.length;
      frames.push(i);
      frameOf.set(key, frame);
    }
    blobFrames[i] = frame;
  }
  const out = Buffer.alloc(
    HEADER_BYTES +
      packs.length * PACK_BYTES +
      frames.length * FRAME_BYTES +
      table.size * BLOB_BYTES,
  );
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(packs.length, 8);
  out.writeUInt32LE(frames.length, 12);
  out.writeUInt32LE(table.size, 16);
  let at = HEADER_BYTES;
  for (const pack of packs) {
    out.write(pack.id, at, "hex");
    out.writeUInt32LE(pack.size % 0x1_0000_0000, at + ID_BYTES);
    out.writeUInt32LE(Math.floor(pack.size / 0x1_0000_0000), at + ID_BYTES + 4);
    at += PACK_BYTES;
  }
  for (const i of frames) {
    out.writeUInt32LE(table.pack(i), at);
    out.writeUInt32LE(table.offset(i), at + 4);
    out.writeUInt32LE(table.length(i), at + 8);
    out.writeUInt32LE(table.crc(i), at + 12);
    at += FRAME_BYTES;
  }
  for (let i = 0; i < table.size; i++) {
    out.set(table.idBytes(i), at);
    out.writeUInt32LE(blobFrames[i] as number, at + ID_BYTES);
    out.writeUInt32LE(table.within(i), at + ID_BYTES + 4);
    at += BLOB_BYTES;
  }
  return out;
}

export function indexFileName(bytes: Uint8Array): string {
  return `${createHash("sha256").update(bytes).digest("hex")}.idx`;
}

/** Decodes an index file named `name`; a problem when its bytes do not match its name. */
export function decodeIndex(name: string, bytes: Buffer): DecodedIndex | { problem: string } {
  if (indexFileName(bytes) !== name) return { problem: "its bytes do not match its name" };
  const magic = bytes.length >= HEADER_V2_BYTES ? bytes.toString("latin1", 0, 8) : "";
  if (magic === MAGIC_V2) return decodeV2(bytes);
  if (magic !== MAGIC || bytes.length < HEADER_BYTES) {
    return { problem: "not a shipsafe pack index" };
  }
  const packCount = bytes.readUInt32LE(8);
  const frameCount = bytes.readUInt32LE(12);
  const count = bytes.readUInt32LE(16);
  const framesAt = HEADER_BYTES + packCount * PACK_BYTES;
  const blobsAt = framesAt + frameCount * FRAME_BYTES;
  if (bytes.length !== blobsAt + count * BLOB_BYTES) return { problem: "wrong length" };
  const packs = readPacks(bytes, HEADER_BYTES, packCount);
  for (let f = 0; f < frameCount; f++) {
    if (bytes.readUInt32LE(framesAt + f * FRAME_BYTES) >= packCount) {
      return { problem: `frame ${f} names a pack beyond the ${packCount} listed` };
    }
  }
  const frames = new Uint32Array(frameCount * 4);
  for (let k = 0; k < frames.length; k++) frames[k] = bytes.readUInt32LE(framesAt + k * 4);
  // Into columns, the blob table's own form: a store's first index becomes its table as it is.
  const columns = blobColumns(count);
  const { ids, pack, offset, length, crc, within } = columns;
  for (let i = 0; i < count; i++) {
    const from = blobsAt + i * BLOB_BYTES;
    const frame = bytes.readUInt32LE(from + ID_BYTES);
    if (frame >= frameCount) {
      return { problem: `entry ${i} names a frame beyond the ${frameCount} listed` };
    }
    // A byte loop, not Buffer#copy: native calls per blob cost ~85 ms for 380,000 blobs.
    const to = i * ID_BYTES;
    for (let b = 0; b < ID_BYTES; b++) ids[to + b] = bytes[from + b] as number;
    pack[i] = frames[frame * 4] as number;
    offset[i] = frames[frame * 4 + 1] as number;
    length[i] = frames[frame * 4 + 2] as number;
    crc[i] = frames[frame * 4 + 3] as number;
    within[i] = bytes.readUInt32LE(from + ID_BYTES + 4);
  }
  return { packs, count, columns };
}

function decodeV2(bytes: Buffer): DecodedIndex | { problem: string } {
  const packCount = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  const entriesAt = HEADER_V2_BYTES + packCount * PACK_BYTES;
  if (bytes.length !== entriesAt + count * INDEX_ENTRY_BYTES) return { problem: "wrong length" };
  const packs = readPacks(bytes, HEADER_V2_BYTES, packCount);
  const columns = blobColumns(count);
  for (let i = 0; i < count; i++) {
    const at = entriesAt + i * INDEX_ENTRY_BYTES;
    const pack = bytes.readUInt32LE(at + ID_BYTES);
    if (pack >= packCount) {
      return { problem: `entry ${i} names a pack beyond the ${packCount} listed` };
    }
    columns.ids.set(bytes.subarray(at, at + ID_BYTES), i * ID_BYTES);
    columns.pack[i] = pack;
    columns.offset[i] = bytes.readUInt32LE(at + ID_BYTES + 4);
    columns.length[i] = bytes.readUInt32LE(at + ID_BYTES + 8);
    columns.crc[i] = bytes.readUInt32LE(at + ID_BYTES + 12);
    columns.within[i] = bytes.readUInt32LE(at + ID_BYTES + 16);
  }
  return { packs, count, columns };
}

function readPacks(bytes: Buffer, from: number, count: number): IndexPack[] {
  const packs: IndexPack[] = [];
  for (let at = from; at < from + count * PACK_BYTES; at += PACK_BYTES) {
    packs.push({
      id: bytes.toString("hex", at, at + ID_BYTES),
      size:
        bytes.readUInt32LE(at + ID_BYTES) + bytes.readUInt32LE(at + ID_BYTES + 4) * 0x1_0000_0000,
    });
  }
  return packs;
}

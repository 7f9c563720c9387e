import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BlobTable, ID_BYTES } from "./blob-table.js";
import { type DecodedIndex, decodeIndex, encodeIndex, indexFileName } from "./index-format.js";

/** A version 2 file's entry: id, then pack, offset, length, crc, within (u32 each). */
const V2_ENTRY_BYTES = ID_BYTES + 20;

const idOf = (n: number): Buffer => createHash("sha256").update(`blob ${n}`).digest();
const packId = (n: number): string => createHash("sha256").update(`pack ${n}`).digest("hex");

/** [pack, offset, length, crc, within] per blob, in insertion order. */
type Row = [number, number, number, number, number];

function tableOf(rows: readonly Row[]): BlobTable {
  const table = new BlobTable(rows.length);
  rows.forEach(([pack, offset, length, crc, within], n) => {
    table.insert(idOf(n), 0, pack, offset, length, crc, within);
  });
  return table;
}

/** Version 2 entries of the rows. */
function v2Entries(rows: readonly Row[]): Buffer {
  const out = Buffer.alloc(rows.length * V2_ENTRY_BYTES);
  rows.forEach((row, n) => {
    const at = n * V2_ENTRY_BYTES;
    idOf(n).copy(out, at);
    row.forEach((value, k) => {
      out.writeUInt32LE(value, at + ID_BYTES + 4 * k);
    });
  });
  return out;
}

/** Each decoded blob as [id, row]. */
function decodedRows(decoded: DecodedIndex): [string, Row][] {
  const { ids, pack, offset, length, crc, within } = decoded.columns;
  return Array.from({ length: decoded.count }, (_, i) => [
    Buffer.from(ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)).toString("hex"),
    [pack[i], offset[i], length[i], crc[i], within[i]] as Row,
  ]);
}

const expectedRows = (rows: readonly Row[]): [string, Row][] =>
  rows.map((row, n) => [idOf(n).toString("hex"), row]);

// Two packs; frames of several members, one blob alone, and an empty frame that shares its offset
// with the frame after it.
const ROWS: Row[] = [
  [0, 0, 1000, 11, 0],
  [0, 0, 1000, 11, 4096],
  [0, 0, 1000, 11, 8192],
  [0, 1000, 0, 0, 0],
  [0, 1000, 500, 22, 0],
  [0, 1000, 500, 22, 4096],
  [1, 0, 700, 33, 0],
  [1, 700, 300, 44, 0],
  [1, 700, 300, 44, 65536],
];
const PACKS = [
  { id: packId(0), size: 1500 + 200 },
  { id: packId(1), size: 2 ** 33 + 5 },
];

describe("pack index files", () => {
  it("store each frame's location once and decode to one full entry per blob", () => {
    const bytes = encodeIndex(PACKS, tableOf(ROWS));
    // header 24 + 2 packs × 40 + 5 frames × 16 + 9 blobs × 40
    expect(bytes.length).toBe(24 + 2 * 40 + 5 * 16 + 9 * 40);
    expect(bytes.toString("latin1", 0, 8)).toBe("SSIDX003");
    const decoded = decodeIndex(indexFileName(bytes), bytes);
    if ("problem" in decoded) throw new Error(decoded.problem);
    expect(decoded.packs).toEqual(PACKS);
    expect(decoded.count).toBe(ROWS.length);
    expect(decodedRows(decoded)).toEqual(expectedRows(ROWS));
  });

  it("still read version 2 files (52 bytes a blob)", () => {
    const header = Buffer.alloc(16);
    header.write("SSIDX002", 0, "latin1");
    header.writeUInt32LE(PACKS.length, 8);
    header.writeUInt32LE(ROWS.length, 12);
    const packs = Buffer.alloc(PACKS.length * 40);
    PACKS.forEach((pack, i) => {
      packs.write(pack.id, i * 40, "hex");
      packs.writeUInt32LE(pack.size % 2 ** 32, i * 40 + 32);
      packs.writeUInt32LE(Math.floor(pack.size / 2 ** 32), i * 40 + 36);
    });
    const bytes = Buffer.concat([header, packs, v2Entries(ROWS)]);
    const decoded = decodeIndex(indexFileName(bytes), bytes);
    if ("problem" in decoded) throw new Error(decoded.problem);
    expect(decoded.packs).toEqual(PACKS);
    expect(decodedRows(decoded)).toEqual(expectedRows(ROWS));
  });

  it("name a problem, never throw, for damaged or foreign bytes", () => {
    const bytes = encodeIndex(PACKS, tableOf(ROWS));
    const renamed = Buffer.from(bytes);
    renamed[30] = (renamed[30] as number) ^ 1;
    expect(decodeIndex(indexFileName(bytes), renamed)).toEqual({
      problem: "its bytes do not match its name",
    });
    // A blob naming a frame that is not listed, with the name recomputed as a writer would.
    const badFrame = Buffer.from(bytes);
    badFrame.writeUInt32LE(99, bytes.length - 8);
    expect(decodeIndex(indexFileName(badFrame), badFrame)).toEqual({
      problem: "entry 8 names a frame beyond the 5 listed",
    });
    const badPack = Buffer.from(bytes);
    badPack.writeUInt32LE(7, 24 + 2 * 40);
    expect(decodeIndex(indexFileName(badPack), badPack)).toEqual({
      problem: "frame 0 names a pack beyond the 2 listed",
    });
    const short = bytes.subarray(0, bytes.length - 1);
    expect(decodeIndex(indexFileName(short), short)).toEqual({ problem: "wrong length" });
    const foreign = Buffer.from("not an index at all, just text");
    expect(decodeIndex(indexFileName(foreign), foreign)).toEqual({
      problem: "not a shipsafe pack index",
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fixedChunks, sqlitePageSize } from "./fixed-chunks.js";

describe("fixedChunks", () => {
  it("cuts at every multiple of the size and at the end", () => {
    expect(fixedChunks(10, 4)).toEqual([4, 8, 10]);
    expect(fixedChunks(8, 4)).toEqual([4, 8]);
    expect(fixedChunks(0, 4)).toEqual([]);
  });

  it("covers the input exactly with chunks of at most `size`, all full but the last", () => {
    fc.assert(
      fc.property(fc.nat(300_000), fc.integer({ min: 64, max: 70_000 }), (length, size) => {
        const cuts = fixedChunks(length, size);
        let start = 0;
        for (const [i, end] of cuts.entries()) {
          const len = end - start;
          if (i < cuts.length - 1) expect(len).toBe(size);
          else expect(len).toBeGreaterThan(0);
          expect(len).toBeLessThanOrEqual(size);
          start = end;
        }
        expect(start).toBe(length);
      }),
    );
  });

  it("refuses a size that is not a positive integer", () => {
    expect(() => fixedChunks(10, 0)).toThrow(RangeError);
    expect(() => fixedChunks(-1, 4)).toThrow(RangeError);
  });
});

function header(pageSizeField: number): Uint8Array {
  const h = new Uint8Array(100);
  h.set(new TextEncoder().encode("SQLite format 3\u0000"));
  h[16] = pageSizeField >> 8;
  h[17] = pageSizeField & 0xff;
  return h;
}

describe("sqlitePageSize", () => {
  it("reads the big-endian page size at offset 16", () => {
    expect(sqlitePageSize(header(4096))).toBe(4096);
    expect(sqlitePageSize(header(512))).toBe(512);
    expect(sqlitePageSize(header(32768))).toBe(32768);
  });

  it("reads the value 1 as 65536", () => {
    expect(sqlitePageSize(header(1))).toBe(65536);
  });

  it("rejects headers that are not SQLite or carry an impossible page size", () => {
    expect(sqlitePageSize(new Uint8Array(100))).toBeUndefined();
    expect(sqlitePageSize(header(4096).subarray(0, 10))).toBeUndefined();
    expect(sqlitePageSize(header(3000))).toBeUndefined();
    expect(sqlitePageSize(header(256))).toBeUndefined();
  });
});

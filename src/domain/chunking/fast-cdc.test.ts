import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CdcParams, cdcChunks, createCdc, defaultCdcParams } from "./fast-cdc.js";
import { gearTable } from "./gear-table.js";

const small: CdcParams = { minSize: 256, avgSize: 1024, maxSize: 4096 };

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed | 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

function lengths(cuts: readonly number[]): number[] {
  return cuts.map((end, i) => end - (i === 0 ? 0 : (cuts[i - 1] as number)));
}

function chunkSet(data: Uint8Array, cuts: readonly number[]): Set<string> {
  const set = new Set<string>();
  let start = 0;
  for (const end of cuts) {
    set.add(Buffer.from(data.subarray(start, end)).toString("base64"));
    start = end;
  }
  return set;
}

/** Splits `data` into pieces at the given relative points and feeds them to a fresh chunker. */
function chunkInPieces(data: Uint8Array, splits: number[], params: CdcParams): number[] {
  const cdc = createCdc(params);
  const points = [...new Set(splits.map((s) => s % (data.length + 1)))].sort((a, b) => a - b);
  const cuts: number[] = [];
  let start = 0;
  for (const p of [...points, data.length]) {
    cuts.push(...cdc.push(data.subarray(start, p)));
    start = p;
  }
  return [...cuts, ...cdc.finish()];
}

describe("gearTable", () => {
  it("is fixed: 256 values, pinned by a fingerprint so a change cannot pass unnoticed", () => {
    expect(gearTable.length).toBe(256);
    expect(new Set(gearTable).size).toBe(256);
    let fingerprint = 0;
    for (const v of gearTable) fingerprint = (Math.imul(fingerprint, 31) + v) | 0;
    expect([gearTable[0], gearTable[255], fingerprint]).toMatchInlineSnapshot(`
      [
        -558152308,
        -439443366,
        -1958244858,
      ]
    `);
  });
});

describe("createCdc (FastCDC)", () => {
  it("cuts where it always has: default parameters over 8 MiB of pinned bytes", () => {
    // Every chunk id follows from these cut points: a change would stop new snapshots from
    // deduplicating against older ones, so it must not pass unnoticed.
    const cuts = cdcChunks(bytes(8 << 20, 7));
    let fingerprint = 0;
    for (const cut of cuts) fingerprint = (Math.imul(fingerprint, 31) + cut) | 0;
    expect([cuts.length, ...cuts.slice(0, 3), fingerprint]).toEqual([
      112, 102092, 131626, 275710, -967791010,
    ]);
  });

  it("covers the input exactly and respects min and max (all chunks but the last)", () => {
    fc.assert(
      fc.property(
        fc.nat(60_000),
        fc.integer(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (n, seed, splits) => {
          const data = bytes(n, seed);
          const cuts = chunkInPieces(data, splits, small);
          expect(cuts.at(-1) ?? 0).toBe(n);
          const lens = lengths(cuts);
          for (const [i, len] of lens.entries()) {
            expect(len).toBeLessThanOrEqual(small.maxSize);
            if (i < lens.length - 1) expect(len).toBeGreaterThanOrEqual(small.minSize);
            else expect(len).toBeGreaterThan(0);
          }
        },
      ),
    );
  });

  it("is deterministic whatever the sizes of the pieces pushed", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.nat(), { maxLength: 12 }), (seed, splits) => {
        const data = bytes(50_000, seed);
        expect(chunkInPieces(data, splits, small)).toEqual(cdcChunks(data, small));
      }),
    );
  });

  it("cuts highly repetitive data at maxSize", () => {
    const cuts = cdcChunks(new Uint8Array(1_000_000), defaultCdcParams);
    expect(
      lengths(cuts)
        .slice(0, -1)
        .every((l) => l === defaultCdcParams.maxSize),
    ).toBe(true);
  });

  it("averages close to avgSize on random data (normalized chunking)", () => {
    const lens = lengths(cdcChunks(bytes(16 * 1024 * 1024, 7)));
    const mean = lens.reduce((a, b) => a + b, 0) / lens.length;
    expect(mean).toBeGreaterThan(defaultCdcParams.avgSize * 0.8);
    expect(mean).toBeLessThan(defaultCdcParams.avgSize * 1.5);
  });

  it("dedupes: an insertion in the middle changes only the chunks near it", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 100_000, max: 300_000 }),
        fc.uint8Array({ minLength: 1, maxLength: 2000 }),
        (seed, at, inserted) => {
          const before = bytes(400_000, seed);
          const after = new Uint8Array(before.length + inserted.length);
          after.set(before.subarray(0, at));
          after.set(inserted, at);
          after.set(before.subarray(at), at + inserted.length);
          const a = chunkSet(before, cdcChunks(before, small));
          const b = [...chunkSet(after, cdcChunks(after, small))];
          const fresh = b.filter((c) => !a.has(c));
          const freshBytes = fresh.reduce((sum, c) => sum + Buffer.from(c, "base64").length, 0);
          // The new chunks span the insertion plus at most a few chunks on either side of it.
          expect(freshBytes).toBeLessThanOrEqual(inserted.length + 4 * small.maxSize);
          expect(fresh.length).toBeLessThanOrEqual(b.length - Math.floor(b.length * 0.8) + 4);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses inconsistent parameters", () => {
    expect(() => createCdc({ minSize: 100, avgSize: 1000, maxSize: 4000 })).toThrow(RangeError);
    expect(() => createCdc({ minSize: 2048, avgSize: 1024, maxSize: 4096 })).toThrow(RangeError);
    expect(() => createCdc({ minSize: 256, avgSize: 1024, maxSize: 1024 })).toThrow(RangeError);
  });
});

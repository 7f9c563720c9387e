import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cdcChunks } from "../../domain/chunking/fast-cdc.js";
import { decodeBlob } from "./blob-format.js";
import { createCodec } from "./codec.js";
import { chunkOf, idsHex, runCodecTask, runDecodeTask } from "./codec-task.js";

const codec = createCodec({ hash: "sha256", compression: "gzip", level: 6 });
const page = (fill: number) => new Uint8Array(4096).fill(fill);
const data = Buffer.concat([page(1), page(2), page(3)]);
const cuts = [4096, 8192, 12288];

describe("runCodecTask", () => {
  it("hashes every chunk and compresses only the chosen ones, each alone", () => {
    const r = runCodecTask(codec, { data, cuts, hash: true, compress: [0, 2], framing: "each" });
    expect(idsHex(r.ids)).toEqual([0, 1, 2].map((i) => codec.hashOf(chunkOf(data, cuts, i))));
    expect(r.compressed.map((c) => codec.decompress(c, 4096)[0])).toEqual([1, 3]);
  });

  it("compresses the chosen chunks as one frame", () => {
    const r = runCodecTask(codec, { data, cuts, hash: false, compress: [1, 2], framing: "frame" });
    expect(idsHex(r.ids)).toEqual([]);
    expect(r.compressed).toHaveLength(1);
    const frame = codec.decompress(r.compressed[0] as Uint8Array, 8192);
    expect(Buffer.from(frame)).toEqual(Buffer.concat([page(2), page(3)]));
  });

  it("ignores bytes after the last cut, and refuses cuts beyond the data", () => {
    const r = runCodecTask(codec, { data, cuts: [4096], hash: true });
    expect(idsHex(r.ids)).toEqual([codec.hashOf(page(1))]);
    expect(() => runCodecTask(codec, { data, cuts: [4096, 20000], hash: true })).toThrow(
      RangeError,
    );
  });
});

describe("runCodecTask cutting by content", () => {
  const file = new Uint8Array(randomBytes(300_000));
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

  it("cuts as the chunker does, hashes each chunk, and returns the cuts and the whole digest", () => {
    const expected = cdcChunks(file);
    expect(expected.length).toBeGreaterThan(1);
    const buffer = new Uint8Array(file.length + 1000); // a pooled buffer larger than the file
    buffer.set(file);
    const r = runCodecTask(codec, {
      data: buffer,
      cuts: [file.length],
      cutByContent: true,
      hash: true,
      stream: { id: 901, first: true, last: true },
    });
    expect(r.cuts).toEqual(expected);
    expect(idsHex(r.ids)).toEqual(expected.map((_, i) => codec.hashOf(chunkOf(file, expected, i))));
    expect(r.streamDigest).toBe(sha256(file));
  });

  it("gives a one-chunk file its chunk's id as its digest, and refuses more than one end", () => {
    const small = file.subarray(0, 10_000);
    const r = runCodecTask(codec, {
      data: small,
      cuts: [small.length],
      cutByContent: true,
      hash: true,
      stream: { id: 902, first: true, last: true },
    });
    expect(r.cuts).toEqual([small.length]);
    expect(r.streamDigest).toBe(sha256(small));
    expect(idsHex(r.ids)).toEqual([sha256(small)]);
    expect(() =>
      runCodecTask(codec, { data: small, cuts: [10, 20], cutByContent: true, hash: true }),
    ).toThrow(/one end/);
  });
});

describe("stored frames and runDecodeTask", () => {
  const random = new Uint8Array(randomBytes(4096));

  it("encodes chosen chunks as one stored frame, kept raw when it would not shrink", () => {
    const packed = runCodecTask(codec, {
      data,
      cuts,
      hash: false,
      compress: [0, 1],
      framing: "blob",
    });
    const blob = packed.compressed[0] as Uint8Array;
    expect(blob[0]).toBe(1);
    expect(blob.length).toBeLessThan(8192);
    expect(Buffer.from(decodeBlob(codec, blob))).toEqual(Buffer.concat([page(1), page(2)]));

    const raw = runCodecTask(codec, {
      data: random,
      cuts: [4096],
      hash: false,
      compress: [0],
      framing: "blob",
    });
    const rawBlob = raw.compressed[0] as Uint8Array;
    expect(rawBlob[0]).toBe(0);
    expect(rawBlob.length).toBe(4096 + 5);
    expect(Buffer.from(decodeBlob(codec, rawBlob))).toEqual(Buffer.from(random));
  });

  it("cuts pieces out of decoded frames into their places, and names the ones that fail", () => {
    const frameA = runCodecTask(codec, {
      data,
      cuts,
      hash: false,
      compress: [0, 1, 2],
      framing: "blob",
    }).compressed[0] as Uint8Array;
    const frameB = runCodecTask(codec, {
      data: random,
      cuts: [4096],
      hash: false,
      compress: [0],
      framing: "blob",
    }).compressed[0] as Uint8Array;
    const damaged = Uint8Array.from(frameA);
    damaged[damaged.length - 3] = (damaged[damaged.length - 3] as number) ^ 0xff;
    const frames = Buffer.concat([frameA, frameB, damaged]);
    const ends = [frameA.length, frameA.length + frameB.length, frames.length];
    const id = (bytes: Uint8Array) => codec.hashOf(bytes);
    // [frame, offset in frame, length, offset in out] and the expected id, per piece.
    const pieces: [number, number, number, number, string][] = [
      [0, 8192, 4096, 0, id(page(3))],
      [1, 0, 4096, 4096, id(random)],
      [0, 0, 4096, 8192, id(page(1))],
      [0, 4096, 4096, 12288, id(page(1))], // wrong id: page 2 lives there
      [0, 12288, 4096, 16384, id(page(1))], // beyond the frame
      [2, 0, 4096, 20480, id(page(1))], // undecodable frame
    ];
    const out = new Uint8Array(new SharedArrayBuffer(6 * 4096)).fill(7);
    const r = runDecodeTask(codec, {
      kind: "decode",
      data: frames,
      frameEnds: ends,
      pieces: Uint32Array.from(pieces.flatMap((p) => p.slice(0, 4) as number[])),
      ids: pieces.map((p) => p[4]).join(""),
      out,
    });
    expect(Buffer.from(out.subarray(0, 4096))).toEqual(Buffer.from(page(3)));
    expect(Buffer.from(out.subarray(4096, 8192))).toEqual(Buffer.from(random));
    expect(Buffer.from(out.subarray(8192, 12288))).toEqual(Buffer.from(page(1)));
    // A bad piece's place is zeroed, not left with whatever the buffer held.
    expect(out.subarray(12288).every((b) => b === 0)).toBe(true);
    expect(r.bad.map(([piece]) => piece)).toEqual([3, 4, 5]);
    expect(r.bad[0]?.[1]).toMatch(/hash/);
    expect(r.bad[1]?.[1]).toMatch(/too short/);
  });
});

describe('runCodecTask with framing "frames"', () => {
  const pages = Buffer.concat(Array.from({ length: 7 }, (_, i) => page(i + 1)));
  const pageCuts = Array.from({ length: 7 }, (_, i) => (i + 1) * 4096);

  it("cuts consecutive chunks into frames of at most frameBytes, each a stored frame", () => {
    const r = runCodecTask(codec, {
      data: pages,
      cuts: pageCuts,
      hash: true,
      framing: "frames",
      frameBytes: 3 * 4096,
      out: new Uint8Array(1 << 16),
    });
    expect(r.frameStarts).toEqual([0, 3, 6]);
    const decoded = r.compressed.map((frame) => Buffer.from(decodeBlob(codec, frame)));
    expect(Buffer.concat(decoded)).toEqual(pages);
    expect(decoded.map((d) => d.length)).toEqual([3 * 4096, 3 * 4096, 4096]);
    expect(idsHex(r.ids)).toHaveLength(7);
  });

  it("puts a chunk larger than frameBytes in a frame alone, and replaces an out buffer too small", () => {
    const out = new Uint8Array(16);
    const r = runCodecTask(codec, {
      data: pages,
      cuts: [4096, 5 * 4096, 7 * 4096],
      hash: false,
      framing: "frames",
      frameBytes: 2 * 4096,
      out,
    });
    expect(r.frameStarts).toEqual([0, 1, 2]);
    expect(r.compressed.every((frame) => frame.buffer !== out.buffer)).toBe(true);
    expect(Buffer.concat(r.compressed.map((f) => decodeBlob(codec, f)))).toEqual(pages);
  });
});

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isShipsafeError } from "../../domain/errors.js";
import { type CodecOptions, createCodec } from "./codec.js";

const text = new TextEncoder().encode("service: api\nreplicas: 3\n".repeat(400));
const variants: CodecOptions[] = [
  { hash: "sha256", compression: "zstd", level: 3 },
  { hash: "sha256", compression: "brotli", level: 2 },
  { hash: "sha512-256", compression: "gzip", level: 6 },
  { hash: "blake2b512", compression: "none", level: 0 },
];

describe("createCodec", () => {
  it("hashes to the standard hex digests", () => {
    const codec = createCodec({ hash: "sha256", compression: "none", level: 0 });
    expect(codec.hashOf(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  for (const options of variants) {
    it(`round-trips ${options.compression} ${options.level}`, () => {
      const codec = createCodec(options);
      for (const data of [text, randomBytes(4096), new Uint8Array(0), new Uint8Array(1)]) {
        const packed = codec.compress(data);
        if (options.compression !== "none" && data === text) {
          expect(packed.length).toBeLessThan(data.length / 10);
        }
        expect(Buffer.from(codec.decompress(packed, data.length))).toEqual(Buffer.from(data));
        const into = new Uint8Array(data.length + 64).fill(7);
        const view = codec.decompressInto(packed, data.length, into);
        expect(view.buffer).toBe(into.buffer);
        expect(Buffer.from(view)).toEqual(Buffer.from(data));
      }
    });

    // "none" has nothing to damage: only compressed variants get this case.
    if (options.compression === "none") continue;
    it(`rejects damaged ${options.compression} data with CHUNK_UNREADABLE`, () => {
      const codec = createCodec(options);
      const packed = Uint8Array.from(codec.compress(text));
      packed.fill(0x55, 4, 40);
      let error: unknown;
      try {
        codec.decompress(packed, text.length);
      } catch (e) {
        error = e;
      }
      expect(isShipsafeError(error) && error.code).toBe("CHUNK_UNREADABLE");
    });
  }

  it("rejects a chunk whose length is not the expected one", () => {
    const codec = createCodec({ hash: "sha256", compression: "zstd", level: 3 });
    expect(() => codec.decompress(codec.compress(text), text.length - 1)).toThrow(/expected/);
    // Into a buffer: a frame longer than expected fails (never overruns), a shorter one too.
    const into = new Uint8Array(text.length * 2);
    for (const expected of [text.length - 1, text.length + 1]) {
      let error: unknown;
      try {
        codec.decompressInto(codec.compress(text), expected, into);
      } catch (e) {
        error = e;
      }
      expect(isShipsafeError(error) && error.code).toBe("CHUNK_UNREADABLE");
    }
  });
});

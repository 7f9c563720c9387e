import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeTrailer,
  encodeTrailer,
  FOOTER_BYTES,
  PACK_MAGIC,
  PACK_MAGIC_V2,
  type TrailerFrame,
  trailerBytes,
} from "./pack-format.js";

/** Deterministic bytes, so a flipped byte's outcome does not depend on the run. */
function bytesOf(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed * 17) & 0xff));
}

/** Three frames back to back and the trailer describing them. */
function v3Pack(): { pack: Buffer; frames: TrailerFrame[] } {
  const data = [bytesOf(300, 1), bytesOf(120, 2), bytesOf(50, 3)];
  const members = [
    [
      { within: 0, size: 4096 },
      { within: 4096, size: 4096 },
      { within: 8192, size: 1000 },
    ],
    [{ within: 0, size: 77 }],
    [
      { within: 0, size: 10 },
      { within: 10, size: 20 },
    ],
  ];
  let offset = 0;
  const frames = data.map((bytes, f) => {
    const frame = { offset, length: bytes.length, crc: crc32(bytes), members: members[f] ?? [] };
    offset += bytes.length;
    return frame;
  });
  return { pack: Buffer.concat([...data, encodeTrailer(frames, bytesOf(16, 9))]), frames };
}

/** An SSPACK02 pack laid out by hand: per blob id 32 B + offset, length, CRC-32, within (u32). */
function v2Pack(): Buffer {
  const frame = bytesOf(200, 4);
  const entries = [
    { id: bytesOf(32, 5), within: 0 },
    { id: bytesOf(32, 6), within: 4096 },
  ];
  const trailer = Buffer.alloc(entries.length * 48 + 32);
  for (const [k, entry] of entries.entries()) {
    trailer.set(entry.id, k * 48);
    trailer.writeUInt32LE(0, k * 48 + 32);
    trailer.writeUInt32LE(frame.length, k * 48 + 36);
    trailer.writeUInt32LE(crc32(frame), k * 48 + 40);
    trailer.writeUInt32LE(entry.within, k * 48 + 44);
  }
  const footer = entries.length * 48;
  trailer.set(bytesOf(16, 7), footer);
  trailer.writeUInt32LE(entries.length, footer + 16);
  trailer.writeUInt32LE(crc32(trailer.subarray(0, footer)), footer + 20);
  trailer.write(PACK_MAGIC_V2, footer + 24, "latin1");
  return Buffer.concat([frame, trailer]);
}

describe("pack trailer", () => {
  it("round-trips SSPACK03 frames with their members' extents, 8 bytes a member", () => {
    const { pack, frames } = v3Pack();
    const trailer = pack.length - 470;
    expect(trailer).toBe(trailerBytes(3, 6));
    expect(trailer).toBe(3 * 16 + 6 * 8 + FOOTER_BYTES);
    expect(pack.toString("latin1", pack.length - 8)).toBe(PACK_MAGIC);
    expect(decodeTrailer(pack)).toEqual({ format: PACK_MAGIC, frames });
    // A view into a larger buffer decodes the same.
    const padded = Buffer.concat([Buffer.from("xx"), pack]);
    expect(decodeTrailer(padded.subarray(2))).toEqual({ format: PACK_MAGIC, frames });
  });

  it("decodes a pack of no frames", () => {
    const empty = encodeTrailer([], bytesOf(16, 1));
    expect(empty.length).toBe(FOOTER_BYTES);
    expect(decodeTrailer(empty)).toEqual({ format: PACK_MAGIC, frames: [] });
  });

  it("still reads SSPACK02 trailers: ids and locations, no sizes", () => {
    const pack = v2Pack();
    const frame = pack.subarray(0, 200);
    expect(decodeTrailer(pack)).toEqual({
      format: PACK_MAGIC_V2,
      entries: [
        { id: bytesOf(32, 5), offset: 0, length: 200, crc: crc32(frame), within: 0 },
        { id: bytesOf(32, 6), offset: 0, length: 200, crc: crc32(frame), within: 4096 },
      ],
    });
  });

  it("gives a problem, not a throw, for any flipped trailer byte", () => {
    const v2 = v2Pack();
    const cases = [
      { pack: v3Pack().pack, from: 470, nonce: -1 },
      // SSPACK02's checksum leaves its nonce out (SSPACK03's covers it).
      { pack: v2, from: 200, nonce: v2.length - 32 },
    ];
    for (const { pack, from, nonce } of cases) {
      for (let at = from; at < pack.length; at++) {
        if (at >= nonce && at < nonce + 16) continue;
        const damaged = Buffer.from(pack);
        damaged[at] = (damaged[at] as number) ^ 0x40;
        expect(decodeTrailer(damaged), `byte ${at}`).toHaveProperty("problem");
      }
    }
  });

  it("gives a problem for files that are not packs or are cut short", () => {
    const { pack } = v3Pack();
    for (let length = 0; length < pack.length; length += 7) {
      expect(decodeTrailer(pack.subarray(0, length))).toHaveProperty("problem");
    }
    expect(decodeTrailer(Buffer.from(PACK_MAGIC))).toEqual({
      problem: "shorter than a pack footer",
    });
    const huge = Buffer.from(pack);
    huge.writeUInt32LE(0xffff_ffff, huge.length - 16);
    expect(decodeTrailer(huge)).toEqual({
      problem: expect.stringContaining("more than the file holds"),
    });
  });

  it("refuses a trailer whose frames point past the frame bytes", () => {
    const frames = [{ offset: 0, length: 100, crc: 0, members: [{ within: 0, size: 1 }] }];
    const pack = Buffer.concat([Buffer.alloc(50), encodeTrailer(frames, bytesOf(16, 2))]);
    expect(decodeTrailer(pack)).toEqual({ problem: "trailer points past the frames" });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { builtModule } from "../../../test/helpers/built-module.js";
import { cdcChunks } from "../../domain/chunking/fast-cdc.js";
import { createCodec } from "./codec.js";
import { createCodecPool } from "./codec-pool.js";
import { chunkOf, idsHex } from "./codec-task.js";

let workerUrl: URL;

/** Workers run compiled JavaScript: the built dist/ (test/global-setup.ts builds it). */
beforeAll(async () => {
  workerUrl = new URL(await builtModule("adapters/codec/codec-worker.ts"));
});

const options = { hash: "sha256", compression: "gzip", level: 1 } as const;

function batch(seed: number, pages: number): Uint8Array {
  const data = new Uint8Array(pages * 4096);
  for (let i = 0; i < data.length; i++) data[i] = (i * seed + (i >> 9)) & 0xff;
  return data;
}

describe("createCodecPool", () => {
  it("hashes and compresses on workers exactly as the codec does on this thread", async () => {
    const pool = createCodecPool({ workers: 2, codec: options, workerUrl });
    const codec = createCodec(options);
    try {
      const tasks = [1, 2, 3, 4].map((seed) => batch(seed, 8));
      const cuts = Array.from({ length: 8 }, (_, i) => (i + 1) * 4096);
      const expected = tasks.map((t) => cuts.map((_, i) => codec.hashOf(chunkOf(t, cuts, i))));
      const copies = tasks.map((t) => Uint8Array.from(t));
      const results = await Promise.all(
        tasks.map(async (data) => {
          const { result } = await pool.submit({ data, cuts, hash: true, compress: [0, 5] });
          return result;
        }),
      );
      for (const [i, r] of results.entries()) {
        expect(idsHex(r.ids)).toEqual(expected[i]);
        expect(Buffer.from(r.data)).toEqual(Buffer.from(copies[i] as Uint8Array));
        const first = codec.decompress(r.compressed[0] as Uint8Array, 4096);
        expect(Buffer.from(first)).toEqual(Buffer.from(chunkOf(r.data, cuts, 0)));
      }
    } finally {
      await pool.close();
    }
  });

  it("cuts a block by content on a worker and hands the cuts back", async () => {
    const pool = createCodecPool({ workers: 2, codec: options, workerUrl });
    try {
      const data = new Uint8Array(200_000);
      for (let i = 0; i < data.length; i++) data[i] = Math.imul(i, 2654435761) >>> 24;
      const expected = cdcChunks(data);
      const { result } = await pool.submit({
        data: Uint8Array.from(data),
        cuts: [data.length],
        cutByContent: true,
        hash: true,
      });
      const r = await result;
      expect(r.cuts).toEqual(expected);
      expect(idsHex(r.ids)).toHaveLength(expected.length);
    } finally {
      await pool.close();
    }
  });

  it("never has more bytes in flight than the bound (back-pressure)", async () => {
    const bound = 1024 * 1024;
    const pool = createCodecPool({
      workers: 2,
      codec: options,
      workerUrl,
      maxInFlightBytes: bound,
    });
    const results: Promise<unknown>[] = [];
    let maxSeen = 0;
    try {
      for (let i = 0; i < 60; i++) {
        const data = batch(i + 1, 32); // 128 KiB each: at most 8 in flight
        const { result } = await pool.submit({
          data,
          cuts: [data.length],
          hash: true,
          compress: [0],
        });
        maxSeen = Math.max(maxSeen, pool.inFlightBytes);
        results.push(result);
      }
      await Promise.all(results);
      expect(maxSeen).toBeLessThanOrEqual(bound);
      expect(pool.peakInFlightBytes).toBeLessThanOrEqual(bound);
      expect(pool.peakInFlightBytes).toBeGreaterThan(bound / 2);
      expect(pool.inFlightBytes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("admits a task larger than the bound when nothing else is in flight", async () => {
    const pool = createCodecPool({ workers: 1, codec: options, workerUrl, maxInFlightBytes: 1000 });
    try {
      const data = batch(3, 4);
      const { result } = await pool.submit({ data, cuts: [data.length], hash: true });
      expect(idsHex((await result).ids)).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it("rejects a task the worker cannot run, and keeps working", async () => {
    const pool = createCodecPool({ workers: 1, codec: options, workerUrl });
    try {
      const bad = await pool.submit({ data: batch(1, 1), cuts: [8192], hash: true });
      await expect(bad.result).rejects.toThrow(/cuts end at 8192/);
      const good = await pool.submit({ data: batch(1, 1), cuts: [4096], hash: true });
      expect(idsHex((await good.result).ids)).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });

  it("rejects a task it cannot send (a detached buffer), and still closes", async () => {
    const pool = createCodecPool({ workers: 1, codec: options, workerUrl });
    const data = batch(1, 1);
    structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] }); // detaches `data`
    const sent = await pool.submit({ data, cuts: [4096], hash: true });
    await expect(sent.result).rejects.toThrow();
    expect(pool.inFlightBytes).toBe(0);
    await pool.close(); // would wait forever for an answer that cannot come
  });

  it("frames a block's chunks on a worker into the buffer it is given, and hands it back", async () => {
    const pool = createCodecPool({ workers: 1, codec: options, workerUrl });
    try {
      const data = new Uint8Array(new SharedArrayBuffer(10 * 4096));
      data.set(batch(3, 10));
      const cuts = Array.from({ length: 10 }, (_, i) => (i + 1) * 4096);
      const out = new Uint8Array(64 * 1024);
      const codec = createCodec(options);
      const { result } = await pool.submit({
        data,
        cuts,
        hash: true,
        framing: "frames",
        frameBytes: 16 * 1024,
        out,
      });
      const done = await result;
      expect(out.length).toBe(0); // moved to the worker
      expect(done.frameStarts).toEqual([0, 4, 8]);
      expect(done.compressed.every((frame) => frame.buffer.byteLength === 64 * 1024)).toBe(true);
      expect(idsHex(done.ids)).toEqual(cuts.map((_, i) => codec.hashOf(chunkOf(data, cuts, i))));
    } finally {
      await pool.close();
    }
  });
});

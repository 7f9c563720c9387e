import { describe, expect, it } from "vitest";
import { createCodec } from "./codec.js";
import { chunkOf, runCodecTask } from "./codec-task.js";

const codec = createCodec({ hash: "sha256", compression: "gzip", level: 6 });
const page = (fill: number) => new Uint8Array(4096).fill(fill);
const data = Buffer.concat([page(1), page(2), page(3)]);
const cuts = [4096, 8192, 12288];

describe("runCodecTask", () => {
  it("hashes every chunk and compresses only the chosen ones, each alone", () => {
    const r = runCodecTask(codec, { data, cuts, hash: true, compress: [0, 2], framing: "each" });
    expect(r.hashes).toEqual([0, 1, 2].map((i) => codec.hashOf(chunkOf(data, cuts, i))));
    expect(r.compressed.map((c) => codec.decompress(c, 4096)[0])).toEqual([1, 3]);
  });

  it("compresses the chosen chunks as one frame", () => {
    const r = runCodecTask(codec, { data, cuts, hash: false, compress: [1, 2], framing: "frame" });
    expect(r.hashes).toEqual([]);
    expect(r.compressed).toHaveLength(1);
    const frame = codec.decompress(r.compressed[0] as Uint8Array, 8192);
    expect(Buffer.from(frame)).toEqual(Buffer.concat([page(2), page(3)]));
  });

  it("refuses cuts that do not cover the data", () => {
    expect(() => runCodecTask(codec, { data, cuts: [4096], hash: true })).toThrow(RangeError);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeBlob } from "./blob-format.js";
import { createCodec } from "./codec.js";
import { runDecodeToFilesTask } from "./decode-to-files-task.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-decode-to-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array): Buffer => createHash("sha256").update(b).digest();

describe("runDecodeToFilesTask", () => {
  it("writes each checked piece at its offset, across frames and files; a bad piece is reported and not written", async () => {
    const codec = createCodec();
    // Frame 0 (compressed): pages a, b, c. Frame 1 (random, kept raw): page d.
    const page = (fill: string) => Buffer.from(fill.repeat(4096).slice(0, 4096));
    const [a, b, c] = [page("a"), page("bc"), page("def")];
    const d = randomBytes(4096);
    const frames = [encodeBlob(codec, Buffer.concat([a, b, c])), encodeBlob(codec, d)];
    expect(frames[1]?.[0]).toBe(0); // raw
    const data = Buffer.concat(frames);
    const one = join(dir, "one");
    const two = join(dir, "two");
    await writeFile(two, Buffer.alloc(8192, 0x78)); // exists: written over, not truncated
    // [frame, within, length] and [file, offset] per piece: a and b go to one file back to back
    // (one write), c twice (to both files), d to the file's start, and one piece with a wrong id.
    const pieces = [
      [0, 0, 4096, 0, 0],
      [0, 4096, 4096, 0, 4096],
      [0, 8192, 4096, 0, 12288],
      [0, 8192, 4096, 1, 4096],
      [1, 0, 4096, 1, 0],
      [1, 0, 4096, 1, 20000],
    ];
    const ids = Buffer.concat([sha(a), sha(b), sha(c), sha(c), sha(d), sha(a)]);
    const result = runDecodeToFilesTask(codec, {
      kind: "decode-to-files",
      data,
      frameEnds: [(frames[0] as Buffer).length, data.length],
      pieces: Uint32Array.from(pieces.flatMap((p) => p.slice(0, 3))),
      ids,
      targets: Float64Array.from(pieces.flatMap((p) => p.slice(3))),
      paths: [one, two],
    });
    expect(result.bad).toEqual([[5, "its bytes do not match its hash"]]);
    const first = await readFile(one);
    expect(first.length).toBe(16384);
    expect(first.subarray(0, 8192).equals(Buffer.concat([a, b]))).toBe(true);
    expect(first.subarray(8192, 12288).equals(Buffer.alloc(4096))).toBe(true); // a hole
    expect(first.subarray(12288).equals(c)).toBe(true);
    const second = await readFile(two);
    expect(second.length).toBe(8192); // nothing written at 20000
    expect(second.equals(Buffer.concat([d, c]))).toBe(true);
  });

  it("reports every piece of a frame that does not decode", () => {
    const codec = createCodec();
    const frame = encodeBlob(codec, Buffer.alloc(8192, 1));
    frame[frame.length - 2] = (frame[frame.length - 2] as number) ^ 0xff;
    const result = runDecodeToFilesTask(codec, {
      kind: "decode-to-files",
      data: frame,
      frameEnds: [frame.length],
      pieces: Uint32Array.from([0, 0, 4096, 0, 4096, 4096]),
      ids: Buffer.concat([sha(Buffer.alloc(4096, 1)), sha(Buffer.alloc(4096, 1))]),
      targets: Float64Array.from([0, 0, 0, 4096]),
      paths: [join(dir, "never")],
    });
    expect(result.bad.map(([piece]) => piece)).toEqual([0, 1]);
  });
});

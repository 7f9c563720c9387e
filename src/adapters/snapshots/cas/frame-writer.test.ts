import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeBlob } from "../../codec/blob-format.js";
import { createCodec } from "../../codec/codec.js";
import { inlineTaskRunner, type TaskRunner } from "../../codec/task-runner.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { FRAME_BYTES, FrameWriter } from "./frame-writer.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("FrameWriter", () => {
  it("takes chunks from callers adding at once (assets stored together) without mixing them up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "frame-writer-"));
    dirs.push(dir);
    const objects = await openLocalPackStore(join(dir, "objects"));
    const writer = await objects.writer();
    const codec = createCodec();
    // Compressing takes a while, as on a worker: the other caller goes on meanwhile.
    const inline = inlineTaskRunner(codec);
    const runner: TaskRunner = {
      ...inline,
      submit: (async (task: Parameters<TaskRunner["submit"]>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return inline.submit(task);
      }) as TaskRunner["submit"],
    };
    const frames = new FrameWriter(writer, runner);
    // Two callers, each adding chunks of its own size in turn: both cross frame boundaries many
    // times, and each seal lets the other caller in while it waits.
    const chunksOf = (count: number, size: number) =>
      Array.from({ length: count }, () => randomBytes(size));
    const callers = [chunksOf(24, 400 * 1024), chunksOf(150, 61 * 1024)];
    expect(24 * 400 * 1024 + 150 * 61 * 1024).toBeGreaterThan(8 * FRAME_BYTES);
    const idOf = (chunk: Uint8Array) => createHash("sha256").update(chunk).digest();
    await Promise.all(
      callers.map(async (chunks) => {
        for (const chunk of chunks) await frames.add(idOf(chunk), chunk);
      }),
    );
    await frames.flush();
    await writer.commit();

    for (const chunk of callers.flat()) {
      const { data, within } = await objects.get(idOf(chunk).toString("hex"));
      const frame = decodeBlob(codec, data);
      expect(Buffer.from(frame.subarray(within, within + chunk.length)).equals(chunk)).toBe(true);
    }
    expect((await objects.check()).bad).toEqual([]);
  });
});

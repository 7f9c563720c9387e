import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { liveBytes, metadataFingerprint } from "./fingerprint.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipsafe-fingerprint-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("metadataFingerprint", () => {
  it("withholds a fingerprint from a just-written file, then gives one that changes with a write", async () => {
    const file = join(dir, "a.txt");
    await writeFile(file, "one");
    expect(await metadataFingerprint([file])).toBeUndefined();
    // This file system's times have sub-millisecond digits: a short racy window suffices.
    await pause(150);
    const first = await metadataFingerprint([file]);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await metadataFingerprint([file])).toBe(first);
    await writeFile(file, "two");
    await pause(150);
    const second = await metadataFingerprint([file]);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
  });

  it("keeps the 2 s window for times of whole milliseconds (a coarse file system clock)", async () => {
    const file = join(dir, "coarse.txt");
    await writeFile(file, "x");
    const whole = new Date(Date.now() - 500); // 500 ms ago, to the millisecond
    await utimes(file, whole, whole);
    expect(await metadataFingerprint([file], { ctime: false })).toBeUndefined();
    const older = new Date(Date.now() - 2_500);
    await utimes(file, older, older);
    expect(await metadataFingerprint([file], { ctime: false })).toMatch(/^[0-9a-f]{64}$/);
  });

  it("liveBytes sums the regular files under the paths", async () => {
    await writeFile(join(dir, "a"), "12345");
    await writeFile(join(dir, "b"), "123");
    expect(await liveBytes([dir, join(dir, "missing")])).toBe(8);
  });
});

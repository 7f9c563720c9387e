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

describe("metadataFingerprint", () => {
  it("waits out a fine clock's racy moment after a write, then gives a fingerprint that changes with a write", async () => {
    const file = join(dir, "a.txt");
    await writeFile(file, "one");
    // Just written: this file system's times have sub-millisecond digits, so the 100 ms racy
    // window is waited out rather than the fingerprint withheld.
    const first = await metadataFingerprint([file]);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await metadataFingerprint([file])).toBe(first);
    await writeFile(file, "two");
    const second = await metadataFingerprint([file]);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
  });

  it("keeps the 2 s window for times of whole milliseconds (a coarse file system clock)", async () => {
    const file = join(dir, "coarse.txt");
    await writeFile(file, "x");
    // Whole seconds (exact in utimes' float seconds): 0-1 s ago.
    const whole = new Date(Math.floor(Date.now() / 1000) * 1000);
    await utimes(file, whole, whole);
    expect(await metadataFingerprint([file], { ctime: false })).toBeUndefined();
    const older = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_000);
    await utimes(file, older, older);
    expect(await metadataFingerprint([file], { ctime: false })).toMatch(/^[0-9a-f]{64}$/);
  });

  it("liveBytes sums the regular files under the paths", async () => {
    await writeFile(join(dir, "a"), "12345");
    await writeFile(join(dir, "b"), "123");
    expect(await liveBytes([dir, join(dir, "missing")])).toBe(8);
  });
});

import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { liveBytes, metadataFingerprint, metadataFingerprintNow } from "./fingerprint.js";

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

  it("has a synchronous form that never waits: the same fingerprint once settled, none while racy", async () => {
    const tree = join(dir, "tree");
    await mkdir(join(tree, "sub"), { recursive: true });
    await writeFile(join(tree, "sub", "b.txt"), "b");
    await writeFile(join(tree, "a.txt"), "a");
    const empty = join(dir, "empty-wal");
    await writeFile(empty, "");
    const options = { ctime: false, emptyIsAbsent: [empty] };
    const paths = [tree, empty, join(dir, "gone")];
    expect(metadataFingerprintNow(paths, options)).toBeUndefined(); // just written: racy
    const settled = await metadataFingerprint(paths, options); // waits the moment out
    expect(metadataFingerprintNow(paths, options)).toBe(settled);
    await writeFile(join(tree, "sub", "b.txt"), "changed");
    expect(metadataFingerprintNow(paths, options)).toBeUndefined();
    const changed = await metadataFingerprint(paths, options);
    expect(changed).not.toBe(settled);
    expect(metadataFingerprintNow(paths, options)).toBe(changed);
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

  it("hashes a large tree exactly as one sorted, depth-first walk would (stable across versions)", async () => {
    // Entries are lstat'ed in batches; the fingerprint must not depend on it, or every snapshot
    // taken before would stop matching (and unchanged assets would be stored again).
    const tree = join(dir, "tree");
    for (const sub of ["a", "b/nested", "c"]) await mkdir(join(tree, sub), { recursive: true });
    for (let i = 0; i < 150; i++) await writeFile(join(tree, "a", `f${i}`), `${i}`);
    for (let i = 0; i < 70; i++) await writeFile(join(tree, "b", "nested", `g${i}`), "g");
    await writeFile(join(tree, "c", "h"), "h");
    const reference = createHash("sha256");
    const walk = async (path: string): Promise<void> => {
      const st = await lstat(path, { bigint: true });
      const type = st.isDirectory() ? "d" : st.isFile() ? "f" : "o";
      reference.update(
        `${path}|${type}|${st.size}|${st.mode}|${st.ino}|${st.mtimeNs}|${st.ctimeNs}\n`,
      );
      if (st.isDirectory()) {
        for (const name of (await readdir(path)).sort()) await walk(join(path, name));
      }
    };
    const fingerprint = await metadataFingerprint([tree, join(dir, "gone")]);
    await walk(tree);
    reference.update(`${join(dir, "gone")}|missing\n`);
    expect(fingerprint).toBe(reference.digest("hex"));
    await writeFile(join(tree, "a", "f140"), "changed");
    expect(await metadataFingerprint([tree, join(dir, "gone")])).not.toBe(fingerprint);
  });

  it("liveBytes sums the regular files under the paths", async () => {
    await writeFile(join(dir, "a"), "12345");
    await writeFile(join(dir, "b"), "123");
    expect(await liveBytes([dir, join(dir, "missing")])).toBe(8);
  });
});

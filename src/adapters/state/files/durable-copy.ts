export { fsyncPath as syncDir } from "../../local-fs/fsync.js";

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { AssetManifest, SnapshotFile } from "../../../ports/state-asset.js";

export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

/** sha256 and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<FileDigest> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Copies `from` to `to` (created, never overwritten), hashing the bytes as they are written, and
 * fsyncs the copy: the digest describes exactly what landed on disk, even if `from` changes later.
 */
export async function copyHashed(from: string, to: string, mode = 0o600): Promise<FileDigest> {
  const hash = createHash("sha256");
  let size = 0;
  const out = await open(to, "wx", mode);
  try {
    for await (const chunk of createReadStream(from)) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      await out.write(bytes);
    }
    // The umask may have narrowed the mode given to open().
    await out.chmod(mode);
    await out.sync();
  } finally {
    await out.close();
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Writes `to` by copying into a temporary file next to it and renaming it over `to`, so a reader
 * (or a crash) sees the old file or the new one, never half of each. The copy is checked against
 * `expected` before the rename: a snapshot altered since it was verified never reaches the target.
 */
export async function replaceFile(
  from: string,
  to: string,
  options: { mode: number; expected: FileDigest },
): Promise<void> {
  const tmp = join(dirname(to), `.${basename(to)}.restore-${randomBytes(4).toString("hex")}`);
  try {
    const digest = await copyHashed(from, tmp, options.mode);
    assertDigest(from, digest, options.expected);
    await rename(tmp, to);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Throws SNAPSHOT_CORRUPT when a copy does not match what the manifest recorded. */
export function assertDigest(file: string, actual: FileDigest, expected: FileDigest): void {
  if (actual.size === expected.size && actual.sha256 === expected.sha256) return;
  throw new ShipsafeError({
    code: "SNAPSHOT_CORRUPT",
    kind: "runtime",
    message: `snapshot file ${file} changed after it was verified: ${actual.size} bytes, sha256 ${actual.sha256} (manifest: ${expected.size} bytes, ${expected.sha256})`,
    hint: "nothing was replaced; verify the snapshot again, and restore from another one if it fails",
  });
}

/**
 * A captured asset's manifest with the sha256 of every file `capture` left unhashed (see
 * SnapshotFile), read from the copies under `dir`: what a snapshot store does while storing.
 */
export async function withFileDigests(
  dir: string,
  manifest: AssetManifest,
): Promise<AssetManifest> {
  if (manifest.files.every((file) => file.sha256 !== "")) return manifest;
  const files: SnapshotFile[] = [];
  for (const file of manifest.files) {
    files.push(file.sha256 !== "" ? file : { ...file, ...(await hashFile(join(dir, file.path))) });
  }
  return { ...manifest, files };
}

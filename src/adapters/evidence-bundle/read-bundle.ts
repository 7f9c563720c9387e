import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { isShipsafeError, ShipsafeError } from "../../domain/errors.js";
import type { BundleFile } from "../../domain/evidence-bundle/bundle-format.js";
import { type BundleLimits, bundleRejected, type ReadBundle } from "../../ports/evidence-bundle.js";
import { DEFAULT_ARCHIVE_LIMITS } from "../archive/archive-format.js";
import { checkEntryName, NameRegistry } from "../archive/archive-paths.js";
import { makePrivateDir } from "../archive/staging-dir.js";
import { BLOCK, FIELD } from "../archive/tar-header.js";
import { TarReader } from "../archive/tar-reader.js";
import { TarWriter } from "../archive/tar-writer.js";
import { hashFile } from "../state/files/durable-copy.js";
import {
  expectedTrailer,
  GZIP_HEADER_BYTES,
  GZIP_HEADER_START,
  InflatedBytes,
} from "./gzip-frame.js";

const MiB = 1024 ** 2;
export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxEntries: 1_000_000,
  maxTarBytes: 4096 * MiB,
  maxFileBytes: 1024 * MiB,
};

/**
 * Reads a bundle without trusting it: the exact gzip header shipsafe writes and the sha256 of every
 * byte after it that the header records, a single gzip member
 * whose trailer ends the file, a bounded inflated size, the tar read by the archive reader's rules
 * (regular files only, safe relative names, no duplicates), and the tar byte-identical to what
 * our writer produces for those files. Works in a private temp dir removed afterwards.
 */
export async function readBundle(
  file: string,
  given: Partial<BundleLimits> = {},
): Promise<ReadBundle> {
  const limits = { ...DEFAULT_BUNDLE_LIMITS, ...given };
  const { size, head, tail } = await frame(file);
  if (size < GZIP_HEADER_BYTES + 8) {
    throw bundleRejected(file, "<gzip>", "truncated", `${size} bytes is too short for a bundle`);
  }
  const start = head.subarray(0, GZIP_HEADER_START.length);
  if (!start.equals(GZIP_HEADER_START)) {
    throw bundleRejected(
      file,
      "<gzip header>",
      "gzip-header",
      `bytes 0-15 are ${start.toString("hex")}; shipsafe writes ${GZIP_HEADER_START.toString("hex")}`,
    );
  }
  const recorded = head.subarray(GZIP_HEADER_START.length).toString("hex");
  const actual = await bodySha256(file);
  if (actual !== recorded) {
    throw bundleRejected(
      file,
      "<gzip body>",
      "gzip-digest",
      `the bytes after the gzip header hash to ${actual}; the header records ${recorded}`,
    );
  }
  const scratch = await makePrivateDir(tmpdir(), ".shipsafe-bundle-");
  try {
    const tarFile = join(scratch.dir, "bundle.tar");
    const inflated = new InflatedBytes(limits.maxTarBytes, () =>
      bundleRejected(
        file,
        "<gzip stream>",
        "too-large",
        `inflates to more than ${limits.maxTarBytes} bytes`,
      ),
    );
    try {
      await pipeline(
        createReadStream(file),
        createGunzip(),
        inflated,
        createWriteStream(tarFile, { flags: "wx", mode: 0o600 }),
      );
    } catch (error) {
      if (isShipsafeError(error)) throw error;
      throw bundleRejected(file, "<gzip stream>", "bad-gzip", (error as Error).message);
    }
    if (!tail.equals(expectedTrailer(inflated.crc, inflated.bytes))) {
      throw bundleRejected(
        file,
        "<gzip trailer>",
        "gzip-trailer",
        "the file does not end with the gzip trailer of its content (bytes after the stream, or a second gzip member)",
      );
    }
    const { files, mtime, sha256 } = await readTar(file, tarFile, limits);
    const canonical = await canonicalTarDigest(join(scratch.dir, "canonical.tar"), files, mtime);
    if (canonical !== sha256) {
      throw bundleRejected(
        file,
        "<tar stream>",
        "not-canonical",
        "bytes outside the files (headers, padding, end blocks) are not what shipsafe writes for them",
      );
    }
    const digest = await hashFile(file);
    return { files, mtime, sha256: digest.sha256, bytes: digest.size };
  } finally {
    await scratch.discard();
  }
}

async function frame(file: string): Promise<{ size: number; head: Buffer; tail: Buffer }> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (cause) {
    throw notReadable(file, (cause as NodeJS.ErrnoException).code ?? "unreadable", cause);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notReadable(file, "not a regular file");
    const head = Buffer.alloc(Math.min(GZIP_HEADER_BYTES, stat.size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(8, stat.size));
    await handle.read(tail, 0, tail.length, stat.size - tail.length);
    return { size: stat.size, head, tail };
  } finally {
    await handle.close();
  }
}

async function bodySha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { start: GZIP_HEADER_BYTES })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

async function readTar(
  file: string,
  tarFile: string,
  limits: BundleLimits,
): Promise<{ files: BundleFile[]; mtime: number; sha256: string }> {
  const handle = await open(tarFile, constants.O_RDONLY);
  try {
    const tar = new TarReader(handle, file);
    const names = new NameRegistry();
    const files: BundleFile[] = [];
    let firstHeader: number | undefined;
    for (let entry = await tar.next(); entry !== undefined; entry = await tar.next()) {
      const fail = (rule: Parameters<TarReader["reject"]>[1], detail: string) =>
        tar.reject(entry?.name ?? "", rule, detail);
      if (files.length >= limits.maxEntries)
        throw fail("too-many-entries", `more than ${limits.maxEntries} entries`);
      if (entry.type === "symlink" || entry.type === "hardlink")
        throw fail("link", `${entry.type} entries are refused`);
      if (entry.type === "directory")
        throw fail("unexpected-entry", "a bundle holds regular files only");
      if (entry.type !== "file") throw fail("device", `${entry.type} entries are refused`);
      const checked = checkEntryName(entry.name, false, DEFAULT_ARCHIVE_LIMITS);
      if ("rule" in checked) throw fail(checked.rule, checked.detail);
      const clash = names.add(checked.name, "file");
      if (clash) throw fail(clash.rule, clash.detail);
      if (entry.size > limits.maxFileBytes)
        throw fail("entry-too-large", `${entry.size} bytes (limit ${limits.maxFileBytes})`);
      firstHeader ??= entry.offset;
      files.push({ path: checked.name, content: await tar.readAll() });
    }
    const sha256 = tar.digest();
    return {
      files,
      mtime: firstHeader === undefined ? 0 : await headerMtime(handle, firstHeader),
      sha256,
    };
  } finally {
    await handle.close();
  }
}

async function headerMtime(handle: FileHandle, offset: number): Promise<number> {
  const block = Buffer.alloc(BLOCK);
  await handle.read(block, 0, BLOCK, offset);
  const [at, length] = FIELD.mtime;
  const digits = /^ *([0-7]+)[ \0]*$/.exec(block.subarray(at, at + length).toString("latin1"))?.[1];
  return digits === undefined ? -1 : Number.parseInt(digits, 8);
}

/** sha256 of the tar our writer produces for these files (written to `scratchFile`). */
async function canonicalTarDigest(
  scratchFile: string,
  files: readonly BundleFile[],
  mtime: number,
): Promise<string> {
  const out = await open(scratchFile, "wx", 0o600);
  try {
    const tar = new TarWriter(out, Math.max(mtime, 0));
    for (const f of files) await tar.file(f.path, f.content);
    await tar.end();
    return tar.digest();
  } finally {
    await out.close();
  }
}

function notReadable(file: string, why: string, cause?: unknown): ShipsafeError {
  return new ShipsafeError(
    {
      code: "BUNDLE_NOT_FOUND",
      kind: "usage",
      message: `cannot read the bundle ${file}: ${why}`,
      hint: "pass the path of a file written by shipsafe evidence bundle",
    },
    cause === undefined ? undefined : { cause },
  );
}

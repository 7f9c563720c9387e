import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, open, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { ShipsafeError } from "../../domain/errors.js";
import { type BundleFile, bundleMtime } from "../../domain/evidence-bundle/bundle-format.js";
import { TarWriter } from "../archive/tar-writer.js";
import { hashFile, syncDir } from "../state/files/durable-copy.js";
import { gzipHeader, ZLIB_HEADER_BYTES } from "./gzip-frame.js";

/**
 * Writes the files as a POSIX tar (our tar writer, every header with the bundle's mtime), gzips it,
 * re-frames it with the bundle's gzip header (which records the sha256 of the rest) into
 * `<file>.tmp-<rand>`, fsyncs it and links it to `file`, refusing to replace an existing file.
 */
export async function writeBundle(
  file: string,
  files: readonly BundleFile[],
  createdAt: string,
): Promise<{ sha256: string; bytes: number }> {
  const suffix = randomBytes(6).toString("hex");
  const tarTmp = join(dirname(file), `.${basename(file)}.tar-${suffix}`);
  const rawTmp = join(dirname(file), `.${basename(file)}.gz-${suffix}`);
  const gzTmp = join(dirname(file), `.${basename(file)}.tmp-${suffix}`);
  try {
    const tarOut = await open(tarTmp, "wx", 0o600);
    try {
      const tar = new TarWriter(tarOut, bundleMtime(createdAt));
      for (const f of files) await tar.file(f.path, f.content);
      await tar.end();
    } finally {
      await tarOut.close();
    }
    await pipeline(
      createReadStream(tarTmp),
      createGzip({ level: 9 }),
      createWriteStream(rawTmp, { flags: "wx", mode: 0o600 }),
    );
    const body = createHash("sha256");
    for await (const chunk of createReadStream(rawTmp, { start: ZLIB_HEADER_BYTES })) {
      body.update(chunk as Buffer);
    }
    const out = createWriteStream(gzTmp, { flags: "wx", mode: 0o600 });
    out.write(gzipHeader(body.digest()));
    await pipeline(createReadStream(rawTmp, { start: ZLIB_HEADER_BYTES }), out);
    const handle = await open(gzTmp, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const digest = await hashFile(gzTmp);
    try {
      // link() never replaces: an existing bundle (or any file) at `file` is kept.
      await link(gzTmp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new ShipsafeError({
        code: "BUNDLE_EXISTS",
        kind: "usage",
        message: `${file} already exists`,
        hint: "choose another --out, or move the existing file away first",
      });
    }
    await syncDir(dirname(file));
    return { sha256: digest.sha256, bytes: digest.size };
  } finally {
    await rm(tarTmp, { force: true });
    await rm(rawTmp, { force: true });
    await rm(gzTmp, { force: true });
  }
}

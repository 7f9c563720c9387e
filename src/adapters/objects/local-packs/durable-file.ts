export { fsyncPath as syncDir } from "../../local-fs/fsync.js";

import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import { isDiskFull } from "../../local-fs/disk-full.js";
import { fsyncPath as syncDir } from "../../local-fs/fsync.js";

export const TMP_PREFIX = ".tmp-";

export function tmpName(dir: string): string {
  return join(dir, `${TMP_PREFIX}${randomBytes(8).toString("hex")}`);
}

/** Turns "no space left" into DISK_FULL naming `path`; other errors pass through. */
export function diskFullOr(error: unknown, path: string): unknown {
  if (!isDiskFull(error)) return error;
  return new ShipsafeError(
    {
      code: "DISK_FULL",
      kind: "runtime",
      message: `no space left on the device while writing ${path}`,
      hint: "free space on that file system (or prune old snapshots) and run the command again; nothing partial was kept",
      location: path,
    },
    { cause: error },
  );
}

/** Writes `path` whole or not at all: temp file, fsync, rename, fsync of the directory. */
export async function writeFileDurably(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = tmpName(dir);
  try {
    const handle = await open(tmp, "wx", 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw diskFullOr(error, path);
  }
  await syncDir(dir);
}

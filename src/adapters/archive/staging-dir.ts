import { constants } from "node:fs";
import { type FileHandle, lstat, mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ShipsafeError } from "../../domain/errors.js";
import type { ScratchDir } from "../../ports/snapshot-archive.js";

/** A fresh private directory (0700) under `parent`. */
export async function makePrivateDir(parent: string, prefix: string): Promise<ScratchDir> {
  const dir = await mkdtemp(join(parent, prefix));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return { dir, discard: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes entries under a staging root only: directories are created one component at a time and
 * re-checked with lstat (a directory, never a symlink), files are created with O_EXCL|O_NOFOLLOW.
 */
export class StagingWriter {
  private readonly dirs = new Set<string>();

  constructor(
    readonly root: string,
    private readonly refuse: (entry: string, detail: string) => ShipsafeError,
  ) {}

  async directory(name: string): Promise<void> {
    let path = this.root;
    for (const segment of name.split("/")) {
      path = join(path, segment);
      if (this.dirs.has(path)) continue;
      try {
        await mkdir(path, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const stat = await lstat(path);
      if (!stat.isDirectory() || stat.isSymbolicLink()) {
        throw this.refuse(name, `${path} is not a directory created by the reader`);
      }
      this.dirs.add(path);
    }
  }

  async file(name: string): Promise<FileHandle> {
    const segments = name.split("/");
    if (segments.length > 1) await this.directory(segments.slice(0, -1).join("/"));
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    return open(join(this.root, ...segments), flags, 0o600);
  }
}

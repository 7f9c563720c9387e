import { lstat, readdir } from "node:fs/promises";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";

/** A regular file or directory of a files asset, named relative to the asset's base directory. */
export interface TreeEntry {
  readonly type: "file" | "dir";
  /** Relative to the base directory, `/`-separated; `""` for the base directory itself. */
  readonly path: string;
  readonly absolute: string;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly size: number;
  /** What identifies this version of the file: a write or a replacement changes one of them. */
  readonly version: FileVersion;
}

/** Size, inode and change times: equal before and after a read means nothing wrote meanwhile. */
export interface FileVersion {
  readonly size: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export function versionOf(stat: FileVersion): FileVersion {
  const { size, ino, mtimeMs, ctimeMs } = stat;
  return { size, ino, mtimeMs, ctimeMs };
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.size === b.size && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Entries of one directory looked at at once. */
const WALK_BATCH = 64;

/**
 * Every file and directory under `paths`, sorted, parents before children. Symlinks and special
 * files are refused rather than followed: following one could copy (and later overwrite) something
 * outside the asset. Missing paths are collected in `missing` unless `mustExist`.
 */
export async function walkTree(
  assetName: string,
  baseDir: string,
  paths: readonly string[],
  mustExist: boolean,
): Promise<{ entries: TreeEntry[]; missing: string[] }> {
  const entries = new Map<string, TreeEntry>();
  const missing: string[] = [];

  const visit = async (absolute: string): Promise<void> => {
    const stat = await lstat(absolute);
    const path = toRelative(baseDir, absolute);
    const mode = stat.mode & 0o7777;
    if (stat.isSymbolicLink() || !(stat.isFile() || stat.isDirectory())) {
      throw new ShipsafeError({
        code: "ASSET_UNSUPPORTED_FILE",
        kind: "config",
        message: `state asset ${assetName}: ${absolute} is a ${stat.isSymbolicLink() ? "symlink" : "special file"}; files assets hold regular files and directories only`,
        hint: "list the file the link points to in `paths` instead, or move the link out of the protected directory",
      });
    }
    const version = versionOf(stat);
    if (stat.isFile()) {
      entries.set(path, { type: "file", path, absolute, mode, size: stat.size, version });
      return;
    }
    entries.set(path, { type: "dir", path, absolute, mode, size: 0, version });
    // A directory's entries are looked at together: one lstat at a time is mostly waiting.
    const names = await readdir(absolute);
    for (let i = 0; i < names.length; i += WALK_BATCH) {
      await Promise.all(names.slice(i, i + WALK_BATCH).map((name) => visit(join(absolute, name))));
    }
  };

  for (const path of paths) {
    try {
      await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      if (mustExist) throw assetNotFound(assetName, path);
      missing.push(path);
      continue;
    }
    await visit(path);
  }
  const sorted = [...entries.values()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  return { entries: sorted, missing };
}

/** `absolute` relative to `baseDir` with `/` separators; throws if it lies outside `baseDir`. */
export function toRelative(baseDir: string, absolute: string): string {
  const path = relative(baseDir, absolute);
  if (path === ".." || path.startsWith(`..${sep}`) || isAbsolute(path)) {
    throw new ShipsafeError({
      code: "ASSET_PATH_OUTSIDE_BASE",
      kind: "config",
      message: `${absolute} is outside ${baseDir}, the directory files assets are stored relative to`,
      hint: "list only paths inside the project directory in `state[].paths`",
    });
  }
  return path.split(sep).join("/");
}

/** Resolves a manifest path under `root`, refusing absolute paths and `..` segments. */
export function resolveInside(root: string, path: string): string {
  const segments = path.split("/");
  if (
    path === "" ||
    isAbsolute(path) ||
    path.includes("\\") ||
    path.includes("\0") ||
    segments.some((part) => part === "" || part === "." || part === "..") ||
    normalize(path) !== path.split("/").join(sep)
  ) {
    throw new ShipsafeError({
      code: "SNAPSHOT_PATH_INVALID",
      kind: "runtime",
      message: `snapshot manifest names the path ${JSON.stringify(path)}, which would escape ${root}`,
      hint: "the manifest was altered; restore from another snapshot",
    });
  }
  return join(root, ...segments);
}

export function assetNotFound(assetName: string, path: string): ShipsafeError {
  return new ShipsafeError({
    code: "ASSET_NOT_FOUND",
    kind: "runtime",
    message: `state asset ${assetName}: ${path} does not exist`,
    hint: "check the asset's path in shipsafe.yaml (paths are relative to the project directory)",
  });
}

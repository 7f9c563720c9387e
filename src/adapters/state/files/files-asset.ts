import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { chmod, copyFile, mkdir, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, sep } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { JsonObject } from "../../../domain/model/json.js";
import type {
  AssetManifest,
  FileSource,
  IntegrityReport,
  SnapshotFile,
  StateAsset,
} from "../../../ports/state-asset.js";
import { liveBytes, metadataFingerprint } from "../fingerprint.js";
import { copyHashed, replaceFile, syncDir } from "./durable-copy.js";
import {
  resolveInside,
  sameVersion,
  type TreeEntry,
  toRelative,
  versionOf,
  walkTree,
} from "./file-tree.js";

export interface FilesAssetOptions {
  readonly name: string;
  /** Absolute paths of files and directories, all inside `baseDir`. */
  readonly paths: readonly string[];
  /** The directory snapshot paths are relative to (the project directory). */
  readonly baseDir: string;
}

/**
 * Files and directories as a state asset. The snapshot holds each file at its path relative to
 * `baseDir`; permission bits live in the manifest (`details.modes`, `details.dirs`), not on the
 * snapshot's copies, so a store that does not keep modes loses nothing. Symlinks and special files
 * are refused. A restore writes every file of the snapshot (temp file + rename) and leaves files
 * created since the snapshot in place.
 */
export function createFilesAsset(options: FilesAssetOptions): StateAsset {
  const { name, baseDir } = options;
  for (const path of [baseDir, ...options.paths]) {
    if (!isAbsolute(path))
      throw new TypeError(`createFilesAsset(${name}): ${path} is not absolute`);
  }
  const paths = options.paths.map((path) => {
    toRelative(baseDir, path);
    return path;
  });

  return {
    name,
    kind: "files",

    async open() {
      const { entries } = await walkTree(name, baseDir, paths, true);
      const byPath = new Map<string, TreeEntry>();
      const files: SnapshotFile[] = [];
      for (const entry of entries) {
        if (entry.type !== "file") continue;
        byPath.set(entry.path, entry);
        files.push({ path: entry.path, size: entry.size, sha256: "" });
      }
      return {
        manifest: manifestOf(name, paths, files, entries),
        async openFile(path) {
          const entry = byPath.get(path);
          if (entry === undefined) throw new Error(`${path} is not a file of asset ${name}`);
          return readUnchanged(name, entry);
        },
        release: async () => undefined,
      };
    },

    async capture(dir) {
      const { entries } = await walkTree(name, baseDir, paths, true);
      const files: SnapshotFile[] = [];
      for (const entry of entries) {
        if (entry.path === "") continue;
        const target = join(dir, ...entry.path.split("/"));
        if (entry.type === "dir") {
          await mkdir(target, { recursive: true, mode: 0o700 });
          continue;
        }
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        // A plain kernel copy into private staging: the snapshot store hashes it while storing
        // (SnapshotFile.sha256), and its packs, not this copy, are what must survive a crash.
        await copyFile(entry.absolute, target, constants.COPYFILE_EXCL);
        files.push({ path: entry.path, size: (await stat(target)).size, sha256: "" });
      }
      return manifestOf(name, paths, files, entries);
    },

    async restore(dir, manifest) {
      const layout = readLayout(manifest);
      const realBase = await realpath(baseDir);
      const touched = new Set<string>();
      for (const path of layout.dirs.keys()) {
        await mkdirInside(realBase, resolveInside(baseDir, path));
      }
      for (const file of manifest.files) {
        const target = resolveInside(baseDir, file.path);
        await mkdirInside(realBase, dirname(target));
        await replaceFile(resolveInside(dir, file.path), target, {
          mode: layout.modes.get(file.path) ?? 0o600,
          expected: file,
        });
        touched.add(dirname(target));
      }
      // Deepest first, after the files are in: a read-only directory must not block its contents.
      for (const [path, mode] of [...layout.dirs].reverse()) {
        await chmod(resolveInside(baseDir, path), mode);
      }
      for (const parent of touched) await syncDir(parent);
    },

    async restoreInto(dir, manifest, sandboxDir) {
      const layout = readLayout(manifest);
      const checks: IntegrityReport["checks"][number][] = [];
      for (const path of layout.dirs.keys()) {
        await mkdir(resolveInside(sandboxDir, path), { recursive: true, mode: 0o700 });
      }
      let matching = 0;
      for (const file of manifest.files) {
        const target = resolveInside(sandboxDir, file.path);
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        const digest = await copyHashed(
          resolveInside(dir, file.path),
          target,
          layout.modes.get(file.path) ?? 0o600,
        );
        if (digest.sha256 === file.sha256 && digest.size === file.size) {
          matching += 1;
        } else {
          checks.push({
            name: `file ${file.path}`,
            ok: false,
            detail: `${digest.size} bytes, sha256 ${digest.sha256} (manifest ${file.size} bytes, ${file.sha256})`,
          });
        }
      }
      for (const [path, mode] of [...layout.dirs].reverse()) {
        await chmod(resolveInside(sandboxDir, path), mode);
      }
      checks.unshift({
        name: "files",
        ok: matching === manifest.files.length,
        detail: `${matching} of ${manifest.files.length} files match the manifest (sha256 and size)`,
      });
      return { ok: checks.every((check) => check.ok), checks };
    },

    fingerprint: () => metadataFingerprint(options.paths),
    size: () => liveBytes(options.paths),
    async inspect() {
      const { entries, missing } = await walkTree(name, baseDir, paths, false);
      const files = entries.filter((entry) => entry.type === "file");
      const bytes = files.reduce((sum, file) => sum + file.size, 0);
      return missing.length === 0
        ? { files: files.length, bytes }
        : { files: files.length, bytes, missing };
    },
  };
}

/** A files asset's manifest: its files, and the modes of its files and directories. */
function manifestOf(
  name: string,
  paths: readonly string[],
  files: SnapshotFile[],
  entries: readonly TreeEntry[],
): AssetManifest {
  // No prototype: a file may be named "__proto__".
  const modes: JsonObject = Object.create(null);
  const dirs: JsonObject = Object.create(null);
  for (const entry of entries) {
    if (entry.path === "") continue;
    (entry.type === "dir" ? dirs : modes)[entry.path] = octal(entry.mode);
  }
  const size = files.reduce((sum, file) => sum + file.size, 0);
  return {
    name,
    kind: "files",
    source: paths.join(", "),
    files,
    size,
    details: { files: files.length, bytes: size, modes, dirs },
  };
}

/**
 * Reads a file in place for a snapshot. What is read must be the version the walk saw: a file
 * written or replaced since (its size, inode or change times differ once read) fails the read with
 * SNAPSHOT_SOURCE_CHANGED rather than storing a torn copy. Symlinks swapped in are not followed.
 */
async function readUnchanged(asset: string, entry: TreeEntry): Promise<FileSource> {
  // Synchronous calls on a plain descriptor: for 2,000 small files of ~100 KiB, promises and the
  // thread pool's round trips cost ~0.2 s of CPU more (and the handle's own promises more still).
  // A read blocks this thread for one block at most (4 MiB), while the workers hash blocks ahead.
  const fd = openSync(entry.absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  return {
    read: async (into, offset, length) => readSync(fd, into, offset, length, null),
    async close() {
      try {
        const now = versionOf(fstatSync(fd));
        if (!sameVersion(now, entry.version)) {
          throw new ShipsafeError({
            code: "SNAPSHOT_SOURCE_CHANGED",
            kind: "runtime",
            message: `${asset}/${entry.path} changed while the snapshot was reading it (${entry.absolute})`,
            hint: "take the snapshot again once nothing writes to the file (stop the writer, or leave the file out of the asset)",
          });
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}

/** Modes per file and per directory from `details`, parents before children. */
function readLayout(manifest: AssetManifest): {
  modes: Map<string, number>;
  dirs: Map<string, number>;
} {
  const parse = (value: unknown, key: string): Map<string, number> => {
    const out = new Map<string, number>();
    if (value === undefined) return out;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw invalidDetails(manifest.name, key);
    }
    for (const [path, mode] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (typeof mode !== "string" || !/^0[0-7]{3,4}$/.test(mode)) {
        throw invalidDetails(manifest.name, `${key}.${path}`);
      }
      out.set(path, Number.parseInt(mode, 8));
    }
    return out;
  };
  return {
    modes: parse(manifest.details.modes, "modes"),
    dirs: parse(manifest.details.dirs, "dirs"),
  };
}

function invalidDetails(asset: string, key: string): ShipsafeError {
  return new ShipsafeError({
    code: "SNAPSHOT_CORRUPT",
    kind: "runtime",
    message: `snapshot asset ${asset}: details.${key} is not a map of octal modes`,
    hint: "the manifest was altered or written by another tool; restore from another snapshot",
  });
}

/** Creates `dir`, refusing when a symlink on the way leads outside the base directory. */
async function mkdirInside(realBase: string, dir: string): Promise<void> {
  let existing = dir;
  for (;;) {
    try {
      assertInside(realBase, dir, await realpath(existing));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      existing = dirname(existing);
    }
  }
  await mkdir(dir, { recursive: true });
  assertInside(realBase, dir, await realpath(dir));
}

function assertInside(realBase: string, dir: string, real: string): void {
  if (real === realBase || real.startsWith(`${realBase}${sep}`)) return;
  throw new ShipsafeError({
    code: "ASSET_PATH_ESCAPES",
    kind: "refused",
    message: `restoring into ${dir} would write to ${real}, outside ${realBase} (a symlink on the way)`,
    hint: "replace the symlink with a directory, or restore into a sandbox and copy by hand",
  });
}

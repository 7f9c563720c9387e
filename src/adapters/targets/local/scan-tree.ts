import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { MANIFEST_NAME } from "./release-manifest.js";

/** One non-directory entry under a scanned root, path relative with `/` separators. */
export interface ScannedEntry {
  readonly path: string;
  readonly kind: "file" | "symlink" | "other";
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
  readonly link?: string;
}

/**
 * Every file, symlink and special file under `root` (directories are walked, not listed), sorted
 * by path, with sha256 of each file's content (of a symlink's target text). The top-level release
 * manifest is left out: it describes the tree rather than belonging to it.
 */
export async function scanTree(
  root: string,
  onBytes?: (bytes: number) => void,
): Promise<ScannedEntry[]> {
  const entries: ScannedEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (prefix === "" && name === MANIFEST_NAME) continue;
      const full = join(dir, name);
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const stat = await lstat(full);
      if (stat.isDirectory()) {
        await walk(full, path);
      } else if (stat.isSymbolicLink()) {
        const link = await readlink(full);
        entries.push({
          path,
          kind: "symlink",
          size: Buffer.byteLength(link),
          sha256: sha256(link),
          mode: stat.mode,
          link,
        });
      } else if (stat.isFile()) {
        entries.push({
          path,
          kind: "file",
          size: stat.size,
          sha256: await hashFile(full, onBytes),
          mode: stat.mode,
        });
      } else {
        entries.push({ path, kind: "other", size: 0, sha256: "", mode: stat.mode });
      }
    }
  };
  await walk(root, "");
  return entries;
}

/**
 * What makes a scanned tree unfit to be a release: special files, and symlinks whose target is
 * absolute or leaves `root` (checked both on the text and on the resolved path, so a chain of
 * links cannot escape either).
 */
export async function containmentProblems(
  root: string,
  entries: readonly ScannedEntry[],
): Promise<string[]> {
  const problems: string[] = [];
  const realRoot = await realpath(root);
  for (const entry of entries) {
    if (entry.kind === "other") {
      problems.push(`${entry.path} is a device, fifo or socket`);
      continue;
    }
    if (entry.kind !== "symlink" || entry.link === undefined) continue;
    const full = join(root, ...entry.path.split("/"));
    if (isAbsolute(entry.link) || !isInside(root, resolve(dirname(full), entry.link))) {
      problems.push(`symlink ${entry.path} -> ${entry.link} points outside the release`);
      continue;
    }
    try {
      if (!isInside(realRoot, await realpath(full))) {
        problems.push(`symlink ${entry.path} -> ${entry.link} resolves outside the release`);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP") problems.push(`symlink ${entry.path} -> ${entry.link} is a loop`);
      // A dangling link that stays inside is harmless: it cannot reach anything outside.
      else if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    }
  }
  return problems;
}

/** True when `child` is `parent` or below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

async function hashFile(file: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash.digest("hex");
}

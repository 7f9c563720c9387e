import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReleaseInfo } from "../../../ports/target.js";

/** The file inside every release directory that records what it holds. */
export const MANIFEST_NAME = ".shipsafe-release.json";

/** One file of a release; a symlink records its target in `link` (size and hash are of the target text). */
export interface ReleaseFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly link?: string;
}

export interface ReleaseManifest {
  readonly version: string;
  readonly addedAt: string;
  readonly checksum: string;
  readonly files: readonly ReleaseFile[];
  readonly gitCommit?: string;
}

/** sha256 over the sorted file list, so equal content gives an equal checksum whatever its origin. */
export function listChecksum(files: readonly ReleaseFile[]): string {
  const hash = createHash("sha256");
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    hash.update(`${file.path}\0${file.size}\0${file.sha256}\0${file.link ?? ""}\n`, "utf8");
  }
  return hash.digest("hex");
}

/** The port's summary of a manifest stored at `path`. */
export function releaseInfo(manifest: ReleaseManifest, path: string): ReleaseInfo {
  return {
    version: manifest.version,
    path,
    addedAt: manifest.addedAt,
    checksum: manifest.checksum,
    files: manifest.files.length,
    bytes: manifest.files.reduce((sum, file) => sum + (file.link === undefined ? file.size : 0), 0),
    ...(manifest.gitCommit === undefined ? {} : { gitCommit: manifest.gitCommit }),
  };
}

/** Reads `<dir>/.shipsafe-release.json`; undefined when the directory holds no manifest. */
export async function readManifest(dir: string): Promise<ReleaseManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_NAME), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as unknown;
  if (!isManifest(parsed)) throw new Error(`${join(dir, MANIFEST_NAME)} is not a release manifest`);
  return parsed;
}

function isManifest(value: unknown): value is ReleaseManifest {
  if (value === null || typeof value !== "object") return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.version === "string" &&
    typeof m.addedAt === "string" &&
    typeof m.checksum === "string" &&
    Array.isArray(m.files) &&
    m.files.every(
      (f: unknown) =>
        f !== null &&
        typeof f === "object" &&
        typeof (f as ReleaseFile).path === "string" &&
        typeof (f as ReleaseFile).size === "number" &&
        typeof (f as ReleaseFile).sha256 === "string",
    ) &&
    (m.gitCommit === undefined || typeof m.gitCommit === "string")
  );
}

import { createHash } from "node:crypto";
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";

/** One chunk of a file: its id (sha256 of the uncompressed bytes) and length. */
export type ChunkRef = readonly [id: string, length: number];

/** asset name → file path → the file's chunks in order. */
export type ChunkLists = Record<string, Record<string, ChunkRef[]>>;

/*
 * A snapshot on disk: `<id>.json` (the manifest, small: `list` reads only these) and `<id>.chunks`
 * (the chunk lists, large). The manifest hash is the portable one (canonical manifest without the
 * hash), so an exported archive carries the same hash. The chunk lists need no hash of their own:
 * every chunk is checked against its id and every file against the manifest's sha256 on read.
 */

/** Writes both documents durably: chunks first, manifest last (the manifest makes it visible). */
export async function writeSnapshotDocuments(
  dir: string,
  manifest: SnapshotManifest,
  chunksText: string,
): Promise<void> {
  await writeDurably(join(dir, `${manifest.id}.chunks`), chunksText);
  await writeDurably(join(dir, `${manifest.id}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readManifest(dir: string, id: string): Promise<SnapshotManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as SnapshotManifest;
  } catch {
    return undefined;
  }
}

export async function readChunks(
  dir: string,
  id: string,
): Promise<{ text: string; lists: ChunkLists }> {
  const text = await readFile(join(dir, `${id}.chunks`), "utf8");
  return { text, lists: JSON.parse(text) as ChunkLists };
}

export async function manifestIds(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).map((n) => n.slice(0, -5));
}

export async function removeSnapshotDocuments(dir: string, id: string): Promise<void> {
  // Manifest first: once it is gone the snapshot is invisible, whatever happens next.
  await unlink(join(dir, `${id}.json`)).catch(() => undefined);
  await unlink(join(dir, `${id}.chunks`)).catch(() => undefined);
}

/** Writes `text` to `path` via a synced temp file and a rename; on failure the temp file is removed. */
async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    if (code !== "ENOSPC" && code !== "EDQUOT") throw error;
    throw new ShipsafeError(
      {
        code: "DISK_FULL",
        kind: "runtime",
        message: `no space left on the device while writing ${path}`,
        hint: "free space on the state dir's file system (or prune snapshots) and take the snapshot again; nothing partial was kept",
        location: path,
      },
      { cause: error },
    );
  }
}

/** The sha256 a manifest records for a file's chunk list (SnapshotFile.chunks). */
export function chunkListHash(refs: readonly ChunkRef[]): string {
  const hash = createHash("sha256");
  for (const [id, length] of refs) hash.update(`${id} ${length}\n`);
  return hash.digest("hex");
}

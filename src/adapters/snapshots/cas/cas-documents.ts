import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { fsyncPath } from "../../local-fs/fsync.js";

/** One chunk of a file: its id (sha256 of the uncompressed bytes) and length. */
export type ChunkRef = readonly [id: string, length: number];

/** asset name → file path → the file's chunks in order. */
export type ChunkLists = Record<string, Record<string, ChunkRef[]>>;

/*
 * A snapshot on disk: `<id>.json` (the manifest, small: `list` reads only these), `<id>.chunks`
 * (`{ format: 2, assets: { <asset>: <list hash> } }`) and, per asset, its chunk list in
 * `lists/<list hash>.json` (`{ <file path>: [[chunk id, length], ...] }`, named by the sha256 of its
 * text). A list is written once and shared by every snapshot whose asset did not change, so such a
 * snapshot adds no bytes for it. The manifest hash is the portable one (canonical manifest without
 * the hash), so an exported archive carries the same hash; each file's `chunks` hash in the
 * manifest proves its list.
 */
const LISTS = "lists";
const LIST_FILE = /^[0-9a-f]{64}\.json$/;
/** Unreferenced lists younger than this are kept: a snapshot being written may not name them yet. */
const LIST_GRACE_MS = 60 * 60 * 1000;

/**
 * Writes a snapshot's documents durably: asset lists first (those not stored already), then the
 * `.chunks` index, then the manifest, which makes the snapshot visible.
 */
export async function writeSnapshotDocuments(
  dir: string,
  manifest: SnapshotManifest,
  lists: ChunkLists,
): Promise<void> {
  const listsDir = join(dir, LISTS);
  await mkdir(listsDir, { recursive: true, mode: 0o700 });
  const assets: Record<string, string> = {};
  for (const [asset, files] of Object.entries(lists)) {
    const text = JSON.stringify(files);
    const hash = createHash("sha256").update(text).digest("hex");
    assets[asset] = hash;
    const path = join(listsDir, `${hash}.json`);
    if (!(await exists(path))) await writeDurably(path, text);
  }
  await fsyncPath(listsDir);
  await writeDurably(join(dir, `${manifest.id}.chunks`), JSON.stringify({ format: 2, assets }));
  await writeDurably(join(dir, `${manifest.id}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  await fsyncPath(dir);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

export async function readManifest(dir: string, id: string): Promise<SnapshotManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as SnapshotManifest;
  } catch {
    return undefined;
  }
}

/** The hash of each asset's chunk list in a snapshot (format 2). */
export async function readListHashes(dir: string, id: string): Promise<Record<string, string>> {
  const doc = JSON.parse(await readFile(join(dir, `${id}.chunks`), "utf8")) as {
    format?: number;
    assets?: Record<string, string>;
  };
  if (doc.format !== 2 || typeof doc.assets !== "object" || doc.assets === null) {
    throw new Error(`${id}.chunks is not a chunk list index`);
  }
  return doc.assets;
}

/** One asset's chunk list, checked against the hash it is stored under. */
export async function readAssetList(dir: string, hash: string): Promise<ChunkLists[string]> {
  const text = await readFile(join(dir, LISTS, `${hash}.json`), "utf8");
  if (createHash("sha256").update(text).digest("hex") !== hash) {
    throw new Error(`chunk list ${hash} is damaged (its content does not match its name)`);
  }
  return JSON.parse(text) as ChunkLists[string];
}

/** Every chunk list of a snapshot, by asset. */
export async function readChunks(dir: string, id: string): Promise<{ lists: ChunkLists }> {
  const lists: ChunkLists = {};
  for (const [asset, hash] of Object.entries(await readListHashes(dir, id))) {
    lists[asset] = await readAssetList(dir, hash);
  }
  return { lists };
}

/** Removes chunk lists no snapshot names any more (older than an hour: see LIST_GRACE_MS). */
export async function removeUnusedLists(dir: string, now: Date): Promise<void> {
  const used = new Set<string>();
  for (const id of await manifestIds(dir)) {
    const hashes = await readListHashes(dir, id).catch(() => ({}));
    for (const hash of Object.values(hashes)) used.add(hash);
  }
  const listsDir = join(dir, LISTS);
  for (const name of await readdir(listsDir).catch(() => [] as string[])) {
    if (!LIST_FILE.test(name) || used.has(name.slice(0, -5))) continue;
    const info = await stat(join(listsDir, name)).catch(() => undefined);
    if (info && now.getTime() - info.mtimeMs > LIST_GRACE_MS) {
      await unlink(join(listsDir, name)).catch(() => undefined);
    }
  }
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

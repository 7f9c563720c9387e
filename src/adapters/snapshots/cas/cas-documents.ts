import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { SnapshotManifest } from "../../../ports/snapshot-store.js";
import { isDiskFull } from "../../local-fs/disk-full.js";
import { fsyncPath } from "../../local-fs/fsync.js";
import { ChunkList } from "./chunk-list.js";

/** asset name → file path → the file's chunks in order. */
export type ChunkLists = Record<string, Record<string, ChunkList>>;

/*
 * A snapshot on disk: `<id>.json` (the manifest, small: `list` reads only these), `<id>.chunks`
 * (`{ format: 3, assets: { <asset>: <list hash> } }`) and, per asset, its chunk lists in
 * `lists/<list hash>.bin`, named by the sha256 of its bytes: `SSLIST02`, a u32 file count, then
 * per file a u32 path length, the path (UTF-8), a u32 chunk count, the chunk ids (32 bytes each)
 * and their lengths as runs (a u32 run count, then per run a u32 repeat and a u32 length: a
 * database cut at its page size is one run), all little-endian. `SSLIST01` (one u32 length per
 * chunk) is still read. A list is written once and shared by every
 * snapshot whose asset did not change, so such a snapshot adds no bytes for it. Format 2 (lists as
 * `lists/<hash>.json`, `{ <path>: [[hex id, length], ...] }`) is still read. The manifest hash is
 * the portable one (canonical manifest without the hash), so an exported archive carries the same
 * hash; each file's `chunks` hash in the manifest proves its list.
 */
const LISTS = "lists";
const LIST_FILE = /^[0-9a-f]{64}\.(bin|json)$/;
const LIST_MAGIC = Buffer.from("SSLIST02");
const LIST_MAGIC_V1 = Buffer.from("SSLIST01");
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
    const bytes = encodeAssetList(files);
    const hash = createHash("sha256").update(bytes).digest("hex");
    assets[asset] = hash;
    const path = join(listsDir, `${hash}.bin`);
    if (!(await exists(path))) await writeDurably(path, bytes);
  }
  await fsyncPath(listsDir);
  await writeDurably(join(dir, `${manifest.id}.chunks`), JSON.stringify({ format: 3, assets }));
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

/** The hash of each asset's chunk list in a snapshot (formats 2 and 3). */
export async function readListHashes(dir: string, id: string): Promise<Record<string, string>> {
  const doc = JSON.parse(await readFile(join(dir, `${id}.chunks`), "utf8")) as {
    format?: number;
    assets?: Record<string, string>;
  };
  if (
    (doc.format !== 2 && doc.format !== 3) ||
    typeof doc.assets !== "object" ||
    doc.assets === null
  ) {
    throw new Error(`${id}.chunks is not a chunk list index`);
  }
  return doc.assets;
}

/** One asset's chunk lists, checked against the hash they are stored under. */
export async function readAssetList(dir: string, hash: string): Promise<ChunkLists[string]> {
  const binary = await readFile(join(dir, LISTS, `${hash}.bin`)).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  });
  const bytes = binary ?? (await readFile(join(dir, LISTS, `${hash}.json`)));
  if (createHash("sha256").update(bytes).digest("hex") !== hash) {
    throw new Error(`chunk list ${hash} is damaged (its content does not match its name)`);
  }
  if (binary) return decodeAssetList(hash, binary);
  const files = JSON.parse(bytes.toString("utf8")) as Record<string, [string, number][]>;
  return Object.fromEntries(
    Object.entries(files).map(([path, refs]) => [path, ChunkList.from(refs)]),
  );
}

/** An asset's chunk lists as bytes (the `.bin` format above). */
export function encodeAssetList(files: ChunkLists[string]): Buffer {
  const parts: Uint8Array[] = [LIST_MAGIC, u32(Object.keys(files).length)];
  for (const [path, list] of Object.entries(files)) {
    const name = Buffer.from(path, "utf8");
    const { ids, lengths } = list.arrays();
    parts.push(u32(name.length), name, u32(list.count), ids, lengthRuns(lengths));
  }
  return Buffer.concat(parts);
}

/** Lengths as runs: a u32 run count, then (repeat, length) pairs. */
function lengthRuns(lengths: Uint32Array): Buffer {
  const runs: number[] = [];
  for (let i = 0; i < lengths.length; ) {
    const length = lengths[i] as number;
    let end = i + 1;
    while (end < lengths.length && lengths[end] === length) end++;
    runs.push(end - i, length);
    i = end;
  }
  const out = Buffer.alloc(4 + runs.length * 4);
  out.writeUInt32LE(runs.length / 2, 0);
  runs.forEach((value, k) => {
    out.writeUInt32LE(value, 4 + k * 4);
  });
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

/** Parses an asset's `.bin` chunk lists; the arrays are copied out of `bytes` (aligned). */
function decodeAssetList(hash: string, bytes: Buffer): ChunkLists[string] {
  const damaged = (why: string) => new Error(`chunk list ${hash} is unreadable: ${why}`);
  const magic = bytes.subarray(0, 8);
  const runs = magic.equals(LIST_MAGIC);
  if (bytes.length < 12 || !(runs || magic.equals(LIST_MAGIC_V1))) {
    throw damaged("not a chunk list file");
  }
  // No prototype: a file may be named "__proto__".
  const files: ChunkLists[string] = Object.create(null);
  const count = bytes.readUInt32LE(8);
  let at = 12;
  for (let f = 0; f < count; f++) {
    if (at + 4 > bytes.length) throw damaged("truncated");
    const nameLength = bytes.readUInt32LE(at);
    at += 4;
    const path = bytes.toString("utf8", at, at + nameLength);
    at += nameLength;
    if (at + 4 > bytes.length) throw damaged("truncated");
    const chunks = bytes.readUInt32LE(at);
    at += 4;
    if (at + chunks * 32 > bytes.length) throw damaged("truncated");
    const ids = new Uint8Array(chunks * 32);
    ids.set(bytes.subarray(at, at + chunks * 32));
    at += chunks * 32;
    const lengths = new Uint32Array(chunks);
    if (runs) {
      if (at + 4 > bytes.length) throw damaged("truncated");
      const count = bytes.readUInt32LE(at);
      at += 4;
      if (at + count * 8 > bytes.length) throw damaged("truncated");
      let filled = 0;
      for (let r = 0; r < count; r++, at += 8) {
        const repeat = bytes.readUInt32LE(at);
        if (filled + repeat > chunks) throw damaged(`${path}: length runs exceed its chunks`);
        lengths.fill(bytes.readUInt32LE(at + 4), filled, filled + repeat);
        filled += repeat;
      }
      if (filled !== chunks) throw damaged(`${path}: length runs do not cover its chunks`);
    } else {
      if (at + chunks * 4 > bytes.length) throw damaged("truncated");
      new Uint8Array(lengths.buffer).set(bytes.subarray(at, at + chunks * 4));
      at += chunks * 4;
    }
    files[path] = ChunkList.over(ids, lengths);
  }
  if (at !== bytes.length) throw damaged("trailing bytes");
  return files;
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
    if (!LIST_FILE.test(name) || used.has(name.slice(0, 64))) continue;
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
async function writeDurably(path: string, text: string | Uint8Array): Promise<void> {
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
    if (!isDiskFull(error)) throw error;
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

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import { BlobTable, ID_BYTES } from "./blob-table.js";
import { type DecodedIndex, decodeIndex, INDEX_ENTRY_BYTES, INDEX_FILE } from "./index-format.js";

export interface PackInfo {
  readonly id: string;
  readonly size: number;
  /** Entries naming this pack across all index files (duplicates included). */
  blobs: number;
  blobBytes: number;
}

/**
 * What the index files say, in memory: the blob table (first entry wins for an id listed twice),
 * the packs by number, and which index files were read.
 */
export class IndexState {
  #table: BlobTable;
  readonly packs: PackInfo[] = [];
  readonly packNumbers = new Map<string, number>();
  readonly files = new Set<string>();

  constructor(expectedBlobs = 1024) {
    this.#table = new BlobTable(expectedBlobs);
  }

  get table(): BlobTable {
    return this.#table;
  }

  merge(name: string, index: DecodedIndex): void {
    const numbers = this.#packNumbersOf(index.packs);
    const { entries } = index;
    for (let i = 0, at = 0; i < index.count; i++, at += INDEX_ENTRY_BYTES) {
      const pack = numbers[entries.readUInt32LE(at + ID_BYTES)] as number;
      const length = entries.readUInt32LE(at + ID_BYTES + 8);
      const info = this.packs[pack] as PackInfo;
      info.blobs++;
      info.blobBytes += length;
      this.table.insert(
        entries,
        at,
        pack,
        entries.readUInt32LE(at + ID_BYTES + 4),
        length,
        entries.readUInt32LE(at + ID_BYTES + 12),
        entries.readUInt32LE(at + ID_BYTES + 16),
      );
    }
    this.files.add(name);
  }

  /**
   * Merges what a writer has just committed as index file `name`, from its own table (pack numbers
   * into `packs`) rather than by decoding the file again. The table may become this state's own:
   * the writer must not change it afterwards.
   */
  mergeTable(name: string, packs: readonly { id: string; size: number }[], table: BlobTable): void {
    const numbers = this.#packNumbersOf(packs);
    // Into an empty store the writer's table is taken as it is: no copy of a first snapshot's index.
    const adopt = this.#table.size === 0 && numbers.every((number, i) => number === i);
    if (adopt) this.#table = table;
    else this.#table.reserve(table.size);
    for (let i = 0; i < table.size; i++) {
      const pack = numbers[table.pack(i)] as number;
      const length = table.length(i);
      const info = this.packs[pack] as PackInfo;
      info.blobs++;
      info.blobBytes += length;
      if (adopt) continue;
      const id = table.idBytes(i);
      this.#table.insert(id, 0, pack, table.offset(i), length, table.crc(i), table.within(i));
    }
    this.files.add(name);
  }

  #packNumbersOf(packs: readonly { id: string; size: number }[]): number[] {
    return packs.map((pack) => {
      let number = this.packNumbers.get(pack.id);
      if (number === undefined) {
        number = this.packs.length;
        this.packs.push({ id: pack.id, size: pack.size, blobs: 0, blobBytes: 0 });
        this.packNumbers.set(pack.id, number);
      }
      return number;
    });
  }
}

/** Reads every index file under `indexDir`; retries when prune replaces them mid-read. */
export async function loadIndexState(indexDir: string): Promise<IndexState> {
  for (let attempt = 0; ; attempt++) {
    try {
      const names = await indexFiles(indexDir);
      const decoded = await Promise.all(names.map((name) => readIndex(indexDir, name)));
      const state = new IndexState(decoded.reduce((sum, index) => sum + index.count, 0));
      for (const [i, index] of decoded.entries()) state.merge(names[i] as string, index);
      return state;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 5) throw error;
    }
  }
}

/**
 * Brings `state` up to date: index files added since are merged in; if any it read has gone (a
 * prune replaced them), everything is read again. Returns the state to use from now on.
 */
export async function refreshIndexState(state: IndexState, indexDir: string): Promise<IndexState> {
  const names = await indexFiles(indexDir);
  const present = new Set(names);
  for (const name of state.files) if (!present.has(name)) return loadIndexState(indexDir);
  try {
    for (const name of names) {
      if (state.files.has(name)) continue;
      const index = await readIndex(indexDir, name);
      // A concurrent refresh may have merged it while this one was reading.
      if (!state.files.has(name)) state.merge(name, index);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return loadIndexState(indexDir);
  }
  return state;
}

async function indexFiles(indexDir: string): Promise<string[]> {
  return (await readdir(indexDir)).filter((name) => INDEX_FILE.test(name)).sort();
}

async function readIndex(indexDir: string, name: string): Promise<DecodedIndex> {
  const path = join(indexDir, name);
  const decoded = decodeIndex(name, await readFile(path));
  if ("problem" in decoded) {
    throw new ShipsafeError({
      code: "OBJECT_INDEX_CORRUPT",
      kind: "runtime",
      message: `object store index ${path} is damaged: ${decoded.problem}`,
      hint: "its packs are kept; put the index file back from a backup of the state directory (no command rebuilds an index from the packs yet, see docs/object-store.md)",
      location: path,
    });
  }
  return decoded;
}

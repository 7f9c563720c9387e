import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import { BlobTable, type BlobTableParts, ID_BYTES } from "./blob-table.js";
import { type DecodedIndex, decodeIndex, INDEX_FILE } from "./index-format.js";

export interface PackInfo {
  readonly id: string;
  readonly size: number;
  /** Entries naming this pack across all index files (duplicates included). */
  blobs: number;
  blobBytes: number;
}

/** An IndexState as parts a worker thread can hand back (see IndexState.toParts). */
export interface IndexStateParts {
  readonly table: BlobTableParts;
  readonly packs: readonly PackInfo[];
  readonly files: readonly string[];
}

/**
 * What the index files say, in memory: the blob table, the packs by number, and which index files
 * were read. An id listed twice (two writers stored the same blob at once, each copy whole and
 * indexed) is looked up where the entry merged first says.
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

  /** The state as structured-cloneable parts (the table's arrays to be moved, not copied). */
  toParts(): IndexStateParts {
    return { table: this.#table.toParts(), packs: this.packs, files: [...this.files] };
  }

  /** A state from `toParts`, made on another thread. */
  static fromParts(parts: IndexStateParts): IndexState {
    const state = new IndexState(1);
    state.#table = BlobTable.fromParts(parts.table);
    for (const [number, pack] of parts.packs.entries()) {
      state.packs.push({ ...pack });
      state.packNumbers.set(pack.id, number);
    }
    for (const name of parts.files) state.files.add(name);
    return state;
  }

  /** Merges a decoded index file; its columns become this state's (the caller lets them go). */
  merge(name: string, index: DecodedIndex): void {
    const numbers = this.#packNumbersOf(index.packs);
    const { ids, pack, offset, length, crc, within } = index.columns;
    for (let i = 0; i < index.count; i++) {
      const number = numbers[pack[i] as number] as number;
      pack[i] = number;
      const info = this.packs[number] as PackInfo;
      info.blobs++;
      info.blobBytes += length[i] as number;
    }
    // Into an empty state the columns are taken as they are (the largest index file, loaded first).
    const adopted =
      this.#table.size === 0 ? BlobTable.fromColumns(index.columns, index.count) : undefined;
    if (adopted) this.#table = adopted;
    else {
      this.#table.reserve(index.count);
      for (let i = 0; i < index.count; i++) {
        this.#table.insert(
          ids,
          i * ID_BYTES,
          pack[i] as number,
          offset[i] as number,
          length[i] as number,
          crc[i] as number,
          within[i] as number,
        );
      }
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
      const files = await Promise.all(
        names.map(async (name) => ({ name, index: await readIndex(indexDir, name) })),
      );
      // The largest file first: its columns become the table as they are, and the others are
      // merged into it, room made for them all at once.
      files.sort((a, b) => b.index.count - a.index.count || (a.name < b.name ? -1 : 1));
      const state = new IndexState(1);
      for (const [i, { name, index }] of files.entries()) {
        state.merge(name, index);
        if (i === 0)
          state.table.reserve(files.reduce((sum, f) => sum + f.index.count, -index.count));
      }
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

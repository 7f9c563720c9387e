export const ID_BYTES = 32;

/**
 * Parses a hex sha256 id into `into` (32 bytes); a malformed id is a caller bug. (Called for every
 * chunk of every snapshot: a length check and the decoder's own stop at a non-hex character,
 * not a regular expression.)
 */
export function parseBlobId(id: string, into: Buffer): Buffer {
  if (id.length !== ID_BYTES * 2 || into.write(id, "hex") !== ID_BYTES) {
    throw new Error(`blob id must be 64 hex characters, got ${id}`);
  }
  return into;
}

/** A binary id as given, once its length is checked (a wrong length is a caller bug). */
export function checkedId(id: Uint8Array): Uint8Array {
  if (id.length !== ID_BYTES)
    throw new Error(`blob id must be ${ID_BYTES} bytes, got ${id.length}`);
  return id;
}

/**
 * Blobs' ids and locations in columns: blob i's id is `ids[i * 32, i * 32 + 32)`, its location
 * `pack[i]`, `offset[i]`, `length[i]`, `crc[i]`, `within[i]` (see BlobTable).
 */
export interface BlobColumns {
  readonly ids: Uint8Array;
  readonly pack: Uint32Array;
  readonly offset: Uint32Array;
  readonly length: Uint32Array;
  readonly crc: Uint32Array;
  readonly within: Uint32Array;
}

/** Empty columns for `count` blobs. */
export function blobColumns(count: number): BlobColumns {
  return {
    ids: new Uint8Array(count * ID_BYTES),
    pack: new Uint32Array(count),
    offset: new Uint32Array(count),
    length: new Uint32Array(count),
    crc: new Uint32Array(count),
    within: new Uint32Array(count),
  };
}

/** A BlobTable's arrays (see `toParts`): what a worker thread hands back after loading an index. */
export interface BlobTableParts extends BlobColumns {
  readonly slots: Int32Array;
  readonly size: number;
}

/**
 * Blob locations keyed by 32-byte id in flat typed arrays (52 bytes per blob plus an open-addressing
 * slot table), because a Map of a million hex strings costs several times that. A location is the
 * stored extent (pack, offset, length, CRC-32) of the frame holding the blob, and the blob's offset
 * within the decoded frame.
 */
export class BlobTable {
  #ids: Uint8Array;
  #pack: Uint32Array;
  #offset: Uint32Array;
  #length: Uint32Array;
  #crc: Uint32Array;
  #within: Uint32Array;
  /** Entry index + 1, 0 when empty; linear probing on the id's first four bytes. */
  #slots: Int32Array;
  #size = 0;

  constructor(expected = 1024) {
    const capacity = Math.max(16, expected);
    this.#ids = new Uint8Array(capacity * ID_BYTES);
    this.#pack = new Uint32Array(capacity);
    this.#offset = new Uint32Array(capacity);
    this.#length = new Uint32Array(capacity);
    this.#crc = new Uint32Array(capacity);
    this.#within = new Uint32Array(capacity);
    this.#slots = new Int32Array(slotCount(capacity));
  }

  get size(): number {
    return this.#size;
  }

  /** The table's arrays, to be moved to another thread (the table must not be used after). */
  toParts(): BlobTableParts {
    return {
      ids: this.#ids,
      pack: this.#pack,
      offset: this.#offset,
      length: this.#length,
      crc: this.#crc,
      within: this.#within,
      slots: this.#slots,
      size: this.#size,
    };
  }

  /**
   * A table over the first `count` blobs of `columns` (the arrays used, not copied), or undefined
   * when an id is there twice (the caller inserts one by one instead, and the first one stays). One pass
   * places every blob: about half the time of inserting them one by one.
   */
  static fromColumns(columns: BlobColumns, count: number): BlobTable | undefined {
    const { ids } = columns;
    const slots = new Int32Array(slotCount(count));
    const mask = slots.length - 1;
    for (let index = 0; index < count; index++) {
      const base = index * ID_BYTES;
      let slot = hashOf(ids, base) & mask;
      for (;;) {
        const entry = slots[slot] as number;
        if (entry === 0) break;
        if (sameIdAt(ids, (entry - 1) * ID_BYTES, ids, base)) return undefined;
        slot = (slot + 1) & mask;
      }
      slots[slot] = index + 1;
    }
    return BlobTable.fromParts({ ...columns, slots, size: count });
  }

  /** A table over the arrays of `toParts` (used, not copied). */
  static fromParts(parts: BlobTableParts): BlobTable {
    const capacity = parts.pack.length;
    const columns = [parts.offset, parts.length, parts.crc, parts.within];
    if (
      parts.ids.length !== capacity * ID_BYTES ||
      columns.some((column) => column.length !== capacity) ||
      !(parts.size <= capacity && parts.size * 2 <= parts.slots.length) ||
      (parts.slots.length & (parts.slots.length - 1)) !== 0
    ) {
      throw new Error("blob table parts do not fit together");
    }
    const table = new BlobTable(1);
    table.#ids = parts.ids;
    table.#pack = parts.pack;
    table.#offset = parts.offset;
    table.#length = parts.length;
    table.#crc = parts.crc;
    table.#within = parts.within;
    table.#slots = parts.slots;
    table.#size = parts.size;
    return table;
  }

  /** The entry index of `id` (32 bytes at `at` in `source`), or -1. */
  find(source: Uint8Array, at = 0): number {
    const mask = this.#slots.length - 1;
    let slot = hashOf(source, at) & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) return -1;
      if (this.#sameId(entry - 1, source, at)) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Adds an entry unless the id is present; returns its index, or -1 when it was present. */
  insert(
    source: Uint8Array,
    at: number,
    pack: number,
    offset: number,
    length: number,
    crc: number,
    within: number,
  ): number {
    if (this.#size === this.#pack.length) this.#grow(this.#size * 2);
    if ((this.#size + 1) * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    // One probe finds the id or the empty slot it goes in (loading an index inserts every blob).
    const mask = this.#slots.length - 1;
    let slot = hashOf(source, at) & mask;
    for (;;) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) break;
      if (this.#sameId(entry - 1, source, at)) return -1;
      slot = (slot + 1) & mask;
    }
    const index = this.#size++;
    const base = index * ID_BYTES;
    for (let b = 0; b < ID_BYTES; b++) this.#ids[base + b] = source[at + b] as number;
    this.#pack[index] = pack;
    this.#offset[index] = offset;
    this.#length[index] = length;
    this.#crc[index] = crc;
    this.#within[index] = within;
    this.#slots[slot] = index + 1;
    return index;
  }

  /** Makes room for `more` entries in one step (merging a table, say): no repeated doubling. */
  reserve(more: number): void {
    const needed = this.#size + more;
    if (needed > this.#pack.length) this.#grow(needed);
    if (needed * 2 > this.#slots.length) this.#rehash(slotCount(needed));
  }

  pack(index: number): number {
    return this.#pack[index] as number;
  }
  offset(index: number): number {
    return this.#offset[index] as number;
  }
  length(index: number): number {
    return this.#length[index] as number;
  }
  crc(index: number): number {
    return this.#crc[index] as number;
  }
  /** The blob's offset in its frame's decoded bytes (0 for a blob stored alone). */
  within(index: number): number {
    return this.#within[index] as number;
  }
  /** The raw 32-byte id (a view; copy it to keep it). */
  idBytes(index: number): Uint8Array {
    return this.#ids.subarray(index * ID_BYTES, (index + 1) * ID_BYTES);
  }
  idHex(index: number): string {
    return Buffer.from(
      this.#ids.buffer,
      this.#ids.byteOffset + index * ID_BYTES,
      ID_BYTES,
    ).toString("hex");
  }

  #sameId(index: number, source: Uint8Array, at: number): boolean {
    return sameIdAt(this.#ids, index * ID_BYTES, source, at);
  }

  #place(index: number): void {
    const mask = this.#slots.length - 1;
    let slot = hashOf(this.#ids, index * ID_BYTES) & mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
    this.#slots[slot] = index + 1;
  }

  #grow(capacity: number): void {
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#pack = grown(this.#pack, capacity);
    this.#offset = grown(this.#offset, capacity);
    this.#length = grown(this.#length, capacity);
    this.#crc = grown(this.#crc, capacity);
    this.#within = grown(this.#within, capacity);
  }

  #rehash(slots: number): void {
    this.#slots = new Int32Array(slots);
    for (let i = 0; i < this.#size; i++) this.#place(i);
  }
}

function slotCount(capacity: number): number {
  let slots = 16;
  while (slots < capacity * 2) slots *= 2;
  return slots;
}

function grown(array: Uint32Array, capacity: number): Uint32Array {
  const next = new Uint32Array(capacity);
  next.set(array);
  return next;
}

function sameIdAt(a: Uint8Array, atA: number, b: Uint8Array, atB: number): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (a[atA + i] !== b[atB + i]) return false;
  return true;
}

/** Ids are sha256 digests, so their first bytes are already uniformly distributed. */
function hashOf(source: Uint8Array, at: number): number {
  return (
    ((source[at] as number) |
      ((source[at + 1] as number) << 8) |
      ((source[at + 2] as number) << 16) |
      ((source[at + 3] as number) << 24)) >>>
    0
  );
}

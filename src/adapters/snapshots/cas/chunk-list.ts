import { createHash } from "node:crypto";

const ID_BYTES = 32;
/** ASCII codes of the lowercase hex digits. */
const HEX = Buffer.from("0123456789abcdef", "latin1");

/**
 * One file's chunks in order: their 32-byte ids (sha256 of the uncompressed bytes) and lengths in
 * flat typed arrays. A 1 GiB database cut at its 4 KiB pages has ~280,000 chunks; as a JS array of
 * `[hex id, length]` pairs that list cost ~150 bytes a chunk of heap (~45 MB) on every create,
 * verify and restore, here 36.
 */
export class ChunkList {
  #ids: Uint8Array;
  #lengths: Uint32Array;
  #count = 0;
  #bytes = 0;

  constructor(capacity = 16) {
    this.#ids = new Uint8Array(Math.max(1, capacity) * ID_BYTES);
    this.#lengths = new Uint32Array(Math.max(1, capacity));
  }

  /** A list from `[hex id, length]` pairs (chunk lists of format 2, tests). */
  static from(refs: Iterable<readonly [string, number]>): ChunkList {
    const list = new ChunkList();
    for (const [id, length] of refs) list.push(id, length);
    return list;
  }

  /** A list over stored arrays (`ids`: count × 32 bytes); the arrays are used, not copied. */
  static over(ids: Uint8Array, lengths: Uint32Array): ChunkList {
    if (ids.length !== lengths.length * ID_BYTES) {
      throw new Error(`chunk list: ${ids.length} id bytes for ${lengths.length} lengths`);
    }
    const list = new ChunkList(0);
    list.#ids = ids;
    list.#lengths = lengths;
    list.#count = lengths.length;
    for (const length of lengths) list.#bytes += length;
    return list;
  }

  get count(): number {
    return this.#count;
  }

  /** The file's size: the sum of its chunks' lengths. */
  get totalBytes(): number {
    return this.#bytes;
  }

  /** Appends a chunk whose id is the 32 bytes at `at` in `ids`. */
  pushFrom(ids: Uint8Array, at: number, length: number): void {
    if (at + ID_BYTES > ids.length)
      throw new RangeError(`no chunk id at ${at} of ${ids.length} bytes`);
    if (this.#count === this.#lengths.length) this.#grow(Math.max(16, this.#count * 2));
    const to = this.#count * ID_BYTES;
    // A byte loop: no view made per chunk (a 1 GiB database has ~270,000 of them).
    for (let k = 0; k < ID_BYTES; k++) this.#ids[to + k] = ids[at + k] as number;
    this.#lengths[this.#count++] = length;
    this.#bytes += length;
  }

  /** Appends a chunk; `id` is 64 hex characters or 32 bytes. */
  push(id: string | Uint8Array, length: number): void {
    if (this.#count === this.#lengths.length) this.#grow(Math.max(16, this.#count * 2));
    const at = this.#count * ID_BYTES;
    if (typeof id === "string") {
      const written = Buffer.from(this.#ids.buffer, this.#ids.byteOffset + at, ID_BYTES).write(
        id,
        "hex",
      );
      if (id.length !== ID_BYTES * 2 || written !== ID_BYTES) {
        throw new Error(`chunk id must be 64 hex characters, got ${id}`);
      }
    } else {
      if (id.length !== ID_BYTES) throw new Error(`chunk id must be 32 bytes, got ${id.length}`);
      this.#ids.set(id, at);
    }
    this.#lengths[this.#count++] = length;
    this.#bytes += length;
  }

  idHex(index: number): string {
    return Buffer.from(
      this.#ids.buffer,
      this.#ids.byteOffset + index * ID_BYTES,
      ID_BYTES,
    ).toString("hex");
  }

  length(index: number): number {
    return this.#lengths[index] as number;
  }

  /** The ids as `count` × 32 bytes and the lengths, trimmed to the count (views, not copies). */
  arrays(): { ids: Uint8Array; lengths: Uint32Array } {
    return {
      ids: this.#ids.subarray(0, this.#count * ID_BYTES),
      lengths: this.#lengths.subarray(0, this.#count),
    };
  }

  /** Whether the list names the chunk with this hex id. */
  includes(id: string): boolean {
    const key = Buffer.from(id, "hex");
    if (key.length !== ID_BYTES) return false;
    for (let i = 0; i < this.#count; i++) {
      if (key.equals(this.#ids.subarray(i * ID_BYTES, (i + 1) * ID_BYTES))) return true;
    }
    return false;
  }

  /**
   * The sha256 a manifest records for the list (SnapshotFile.chunks): over `<hex id> <length>\n`
   * per chunk, as it always was, so manifests and exported archives keep their meaning.
   */
  hash(): string {
    const hash = createHash("sha256");
    // Lines written as bytes into one buffer: a string per chunk cost ~150 ms for the 280,000
    // pages of a 1 GiB database, on every restore and verify.
    const out = Buffer.allocUnsafe(64 * 1024);
    let at = 0;
    for (let i = 0; i < this.#count; i++) {
      if (at > out.length - 128) {
        hash.update(out.subarray(0, at));
        at = 0;
      }
      const base = i * ID_BYTES;
      for (let b = 0; b < ID_BYTES; b++) {
        const byte = this.#ids[base + b] as number;
        out[at++] = HEX[byte >> 4] as number;
        out[at++] = HEX[byte & 15] as number;
      }
      out[at++] = 0x20;
      at = writeDecimal(out, at, this.#lengths[i] as number);
      out[at++] = 0x0a;
    }
    hash.update(out.subarray(0, at));
    return hash.digest("hex");
  }

  #grow(capacity: number): void {
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids.subarray(0, this.#count * ID_BYTES));
    const lengths = new Uint32Array(capacity);
    lengths.set(this.#lengths.subarray(0, this.#count));
    this.#ids = ids;
    this.#lengths = lengths;
  }
}

/** Writes `n` (a whole number ≥ 0) in decimal ASCII at `at`; returns the offset after it. */
function writeDecimal(out: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let value = n;
  for (let d = digits - 1; d >= 0; d--) {
    out[at + d] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
  return at + digits;
}

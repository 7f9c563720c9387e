import { createHash, type Hash } from "node:crypto";

const ID_BYTES = 32;
/** Each byte's two lowercase hex digits as ASCII, first digit in the low byte (little-endian). */
const HEX_PAIRS = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const digits = b.toString(16).padStart(2, "0");
  HEX_PAIRS[b] = digits.charCodeAt(0) | (digits.charCodeAt(1) << 8);
}
/** Where the lines of chunks are written to be hashed (one thread, and `hashSoFar` never waits). */
const LINES = Buffer.allocUnsafeSlow(64 * 1024);
const LINE_PAIRS = new DataView(LINES.buffer, LINES.byteOffset, LINES.byteLength);

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
  /** The list's hash (see `hash`) over its first `#hashed` chunks, kept up by `hashSoFar`. */
  #running: Hash | undefined;
  #hashed = 0;

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

  /**
   * Appends the chunks of a hashed block at once: their ids (`cuts.length` × 32 bytes from the
   * start of `ids`) and lengths, from their end offsets `cuts` in the block.
   */
  pushCuts(ids: Uint8Array, cuts: readonly number[]): void {
    const n = cuts.length;
    if (n * ID_BYTES > ids.length) {
      throw new RangeError(`${n} chunk ids asked of ${ids.length} bytes`);
    }
    if (this.#count + n > this.#lengths.length) {
      this.#grow(Math.max(16, this.#count * 2, this.#count + n));
    }
    this.#ids.set(ids.subarray(0, n * ID_BYTES), this.#count * ID_BYTES);
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = cuts[i] as number;
      this.#lengths[this.#count + i] = end - start;
      start = end;
    }
    this.#count += n;
    this.#bytes += start;
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
    this.hashSoFar();
    return (this.#running as Hash).copy().digest("hex");
  }

  /**
   * Brings the list's running hash up to its last chunk. A list built block by block calls it as
   * it goes, so `hash` at the end has little left to do.
   */
  hashSoFar(): void {
    this.#running ??= createHash("sha256");
    const running = this.#running;
    if (this.#hashed === this.#count) return;
    // Lines written as bytes into one buffer, two hex digits at a time: a string per chunk cost
    // ~150 ms for the 280,000 pages of a 1 GiB database, on every restore and verify.
    const out = LINES;
    const pairs = LINE_PAIRS;
    const ids = this.#ids;
    let at = 0;
    for (let i = this.#hashed; i < this.#count; i++) {
      if (at > out.length - 128) {
        running.update(out.subarray(0, at));
        at = 0;
      }
      const base = i * ID_BYTES;
      for (let b = 0; b < ID_BYTES; b++, at += 2) {
        pairs.setUint16(at, HEX_PAIRS[ids[base + b] as number] as number, true);
      }
      out[at++] = 0x20;
      at = writeDecimal(out, at, this.#lengths[i] as number);
      out[at++] = 0x0a;
    }
    running.update(out.subarray(0, at));
    this.#hashed = this.#count;
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

import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { diskFullOr, syncDir, tmpName } from "./durable-file.js";
import { memberSizes } from "./member-sizes.js";
import {
  encodeTrailer,
  MAX_PACK_BYTES,
  type MemberExtent,
  type PackEntry,
  type TrailerFrame,
  trailerBytes,
} from "./pack-format.js";

const STAGING_BYTES = 4 * 1024 * 1024;

/** A blob as a pack holds it: where its frame is, and its bytes in the decoded frame. */
export interface PackMember extends PackEntry, MemberExtent {}

export interface FinishedPack {
  readonly id: string;
  readonly size: number;
  readonly entries: readonly PackMember[];
}

/** Where pack `id` lives under the store's `packs/` directory. */
export function packPath(packsDir: string, id: string): string {
  return join(packsDir, id.slice(0, 2), `${id}.pack`);
}

/**
 * Builds one pack in a temp file: blobs are copied into a staging buffer and written in large
 * writes; `finish` appends the trailer, fsyncs and renames the file to its content hash, so a pack
 * under its final name is always complete.
 */
export class PackBuilder {
  readonly #packsDir: string;
  readonly #tmp: string;
  readonly #handle: FileHandle;
  readonly #hash = createHash("sha256");
  readonly #staging = Buffer.allocUnsafe(STAGING_BYTES);
  readonly #entries: PackMember[] = [];
  /** The trailer's frames; each one's `members` are the same objects as in `#entries`. */
  readonly #frames: TrailerFrame[] = [];
  #used = 0;
  #offset = 0;
  #closed = false;

  private constructor(packsDir: string, tmp: string, handle: FileHandle) {
    this.#packsDir = packsDir;
    this.#tmp = tmp;
    this.#handle = handle;
  }

  static async create(packsDir: string): Promise<PackBuilder> {
    const tmp = tmpName(packsDir);
    try {
      return new PackBuilder(packsDir, tmp, await open(tmp, "wx", 0o600));
    } catch (error) {
      await rm(tmp, { force: true });
      throw diskFullOr(error, tmp);
    }
  }

  /** Bytes of blob data so far. */
  get size(): number {
    return this.#offset;
  }
  get count(): number {
    return this.#entries.length;
  }

  /** Whether a frame of `length` bytes and `members` blobs still fits under 32-bit offsets. */
  fits(length: number, members = 1): boolean {
    const trailer = trailerBytes(this.#frames.length + 1, this.#entries.length + members);
    return this.#offset + length + trailer <= MAX_PACK_BYTES;
  }

  /** Appends a frame holding one blob, whose size is the frame's decoded length. */
  async add(id: Uint8Array, data: Uint8Array): Promise<PackMember> {
    const size = memberSizes([{ within: 0 }], data)[0] as number;
    const [entry] = await this.addFrame([{ id, within: 0, size }], data);
    return entry as PackMember;
  }

  /**
   * Appends one frame and an entry for each member (ids are copied); `members` are what the
   * trailer records for the frame, in its order.
   */
  async addFrame(
    members: readonly { id: Uint8Array; within: number; size: number }[],
    data: Uint8Array,
  ): Promise<readonly PackMember[]> {
    const offset = this.#offset;
    const crc = crc32(data);
    const entries = members.map((m) => ({
      id: Buffer.from(m.id),
      offset,
      length: data.length,
      crc,
      within: m.within,
      size: m.size,
    }));
    if (data.length > STAGING_BYTES - this.#used) await this.#flush();
    if (data.length >= STAGING_BYTES) {
      this.#hash.update(data);
      await this.#write(data);
    } else {
      this.#staging.set(data, this.#used);
      this.#used += data.length;
    }
    this.#offset += data.length;
    this.#entries.push(...entries);
    this.#frames.push({ offset, length: data.length, crc, members: entries });
    return entries;
  }

  /** Makes the pack durable under its final name and returns what it holds. */
  async finish(): Promise<FinishedPack> {
    const trailer = encodeTrailer(this.#frames, randomBytes(16));
    let id: string;
    let size: number;
    try {
      await this.#flush();
      this.#hash.update(trailer);
      await this.#write(trailer);
      size = this.#offset + trailer.length;
      await this.#handle.sync();
      this.#closed = true;
      await this.#handle.close();
      id = this.#hash.digest("hex");
      const final = packPath(this.#packsDir, id);
      const created = await mkdir(join(this.#packsDir, id.slice(0, 2)), { recursive: true });
      if (created !== undefined) await syncDir(this.#packsDir);
      await rename(this.#tmp, final);
    } catch (error) {
      await this.discard();
      throw diskFullOr(error, this.#tmp);
    }
    await syncDir(join(this.#packsDir, id.slice(0, 2)));
    return { id, size, entries: this.#entries };
  }

  /** Closes and removes the temp file; safe to call more than once. */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#handle.close().catch(() => undefined);
    }
    await rm(this.#tmp, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    const pending = this.#staging.subarray(0, this.#used);
    this.#hash.update(pending);
    await this.#write(pending);
    this.#used = 0;
  }

  async #write(data: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.#handle.write(data, done, data.length - done);
        done += bytesWritten;
      }
    } catch (error) {
      throw diskFullOr(error, this.#tmp);
    }
  }
}

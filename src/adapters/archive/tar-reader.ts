import type { FileHandle } from "node:fs/promises";
import type { ShipsafeError } from "../../domain/errors.js";
import { type ArchiveRule, archiveRejected } from "../../ports/snapshot-archive.js";
import { ByteSource, isZero } from "./byte-source.js";
import { BLOCK, FIELD, headerChecksum, USTAR_MAGIC, USTAR_VERSION } from "./tar-header.js";

export type TarEntryType =
  | "file"
  | "directory"
  | "hardlink"
  | "symlink"
  | "char-device"
  | "block-device"
  | "fifo";

export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  /** Byte offset of the entry's header in the archive. */
  readonly offset: number;
}

const TYPES: Record<string, TarEntryType> = {
  "0": "file",
  "\0": "file",
  "5": "directory",
  "1": "hardlink",
  "2": "symlink",
  "3": "char-device",
  "4": "block-device",
  "6": "fifo",
};
const MAX_PAX_BYTES = 64 * 1024;
/** pax keys with no effect on what is extracted; anything else (linkpath, GNU.sparse.*) is refused. */
const IGNORED_PAX = /^(mtime|atime|ctime|uid|gid|uname|gname|comment|charset|hdrcharset)$/;
const IGNORED_PAX_PREFIX = /^(SCHILY\.xattr\.|LIBARCHIVE\.xattr\.)/;

/**
 * Reads a POSIX tar archive header by header. It enforces the tar-level rules — header checksums,
 * ustar magic, octal fields, pax records, truncation and the end-of-archive blocks — and leaves
 * the path and type policy to its caller.
 */
export class TarReader {
  private readonly source: ByteSource;
  private remaining = 0;
  private padding = 0;
  private current = "";

  constructor(
    handle: FileHandle,
    private readonly file: string,
  ) {
    this.source = new ByteSource(handle);
  }

  get position(): number {
    return this.source.position;
  }

  /** The next entry, or undefined after the end-of-archive blocks (and only zeros after them). */
  async next(): Promise<TarEntry | undefined> {
    await this.skipBody();
    let pax: Map<string, string> | undefined;
    for (;;) {
      const offset = this.source.position;
      const where = `<header at byte ${offset}>`;
      const block = await this.source.take(BLOCK);
      if (block.length === 0) {
        throw this.reject(
          where,
          "missing-end-blocks",
          "the archive ends without the two zero blocks that close a tar archive",
        );
      }
      if (block.length < BLOCK) {
        throw this.reject(
          where,
          "truncated",
          `the header is cut short: ${block.length} of 512 bytes`,
        );
      }
      if (isZero(block)) {
        if (pax)
          throw this.reject(
            where,
            "unsupported-pax",
            "a pax header is followed by the end of the archive",
          );
        await this.finish(offset);
        return undefined;
      }
      const raw = this.parseHeader(block, where);
      const name = pax?.get("path") ?? raw.name;
      const size = pax?.has("size") ? Number(pax.get("size")) : raw.size;
      this.current = name;
      if (raw.typeflag === "x") {
        if (pax) throw this.reject(name, "unsupported-pax", "two pax headers in a row");
        if (size > MAX_PAX_BYTES) {
          throw this.reject(
            name,
            "entry-too-large",
            `pax header of ${size} bytes (limit ${MAX_PAX_BYTES})`,
          );
        }
        pax = this.parsePax(await this.readAll(size), name);
        continue;
      }
      if (raw.typeflag === "g") throw this.reject(name, "unsupported-pax", "global pax header");
      if (raw.typeflag === "L" || raw.typeflag === "K") {
        throw this.reject(
          name,
          "unsupported-type",
          `GNU long ${raw.typeflag === "L" ? "name" : "link"} header (typeflag ${raw.typeflag})`,
        );
      }
      const type = TYPES[raw.typeflag];
      if (type === undefined) {
        throw this.reject(name, "unsupported-type", `typeflag ${JSON.stringify(raw.typeflag)}`);
      }
      this.remaining = size;
      this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
      return { name, type, size, offset };
    }
  }

  /** The current entry's bytes, in chunks of at most 1 MiB; throws `truncated` if they are short. */
  async *body(): AsyncGenerator<Buffer> {
    while (this.remaining > 0) {
      const chunk = await this.source.take(this.remaining);
      if (chunk.length === 0) {
        throw this.reject(
          this.current,
          "truncated",
          `the archive ends ${this.remaining} bytes before the end of this entry`,
        );
      }
      this.remaining -= chunk.length;
      yield chunk;
    }
    await this.skipPadding();
  }

  /** The current entry's bytes in memory (the caller bounds the size first). */
  async readAll(size = this.remaining): Promise<Buffer> {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    const parts: Buffer[] = [];
    for await (const chunk of this.body()) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts);
  }

  /** sha256 of the whole archive file (after `next()` returned undefined). */
  digest(): string {
    return this.source.digest();
  }

  reject(entry: string, rule: ArchiveRule, detail: string): ShipsafeError {
    return archiveRejected(this.file, entry, rule, detail);
  }

  private async skipBody(): Promise<void> {
    for await (const _ of this.body()) {
      // discard
    }
  }

  private async skipPadding(): Promise<void> {
    if (this.padding === 0) return;
    const pad = await this.source.take(this.padding);
    if (pad.length < this.padding) {
      throw this.reject(
        this.current,
        "truncated",
        "the archive ends inside the padding after this entry",
      );
    }
    this.padding = 0;
  }

  /** After the first zero block: a second one, then nothing but zeros to the end of the file. */
  private async finish(offset: number): Promise<void> {
    const second = await this.source.take(BLOCK);
    if (second.length < BLOCK || !isZero(second)) {
      throw this.reject(
        `<end at byte ${offset}>`,
        "missing-end-blocks",
        "one zero block where a tar archive ends with two",
      );
    }
    for (;;) {
      const rest = await this.source.take(BLOCK * 128);
      if (rest.length === 0) return;
      if (!isZero(rest)) {
        throw this.reject(
          `<end at byte ${offset}>`,
          "data-after-end",
          "bytes other than zeros after the end-of-archive blocks",
        );
      }
    }
  }

  private parseHeader(
    block: Buffer,
    where: string,
  ): { name: string; typeflag: string; size: number } {
    const rawName = text(block, FIELD.name).replace(/\0.*$/s, "");
    const label = rawName === "" ? where : rawName;
    const stored = octal(field(block, FIELD.checksum));
    if (stored === undefined || stored !== headerChecksum(block)) {
      throw this.reject(
        label,
        "bad-header-checksum",
        `header checksum ${stored ?? "unreadable"}, computed ${headerChecksum(block)}`,
      );
    }
    if (
      field(block, FIELD.magic).toString("latin1") !== USTAR_MAGIC ||
      field(block, FIELD.version).toString("latin1") !== USTAR_VERSION
    ) {
      throw this.reject(
        label,
        "not-ustar",
        'not a POSIX ustar header (magic "ustar\\0", version "00")',
      );
    }
    const size = octal(field(block, FIELD.size));
    if (size === undefined)
      throw this.reject(label, "bad-numeric-field", "the size field is not an octal number");
    const name = cString(field(block, FIELD.name), label, this);
    const prefix = cString(field(block, FIELD.prefix), label, this);
    return {
      name: prefix === "" ? name : `${prefix}/${name}`,
      typeflag: String.fromCharCode(block[FIELD.typeflag[0]] ?? 0),
      size,
    };
  }

  private parsePax(bytes: Buffer, name: string): Map<string, string> {
    const records = new Map<string, string>();
    let at = 0;
    while (at < bytes.length) {
      const space = bytes.indexOf(0x20, at);
      const length = space > at ? Number(bytes.subarray(at, space).toString("latin1")) : Number.NaN;
      if (
        !Number.isInteger(length) ||
        length <= space - at ||
        at + length > bytes.length ||
        bytes[at + length - 1] !== 0x0a
      ) {
        throw this.reject(
          name,
          "unsupported-pax",
          `malformed pax record at byte ${at} of the pax header`,
        );
      }
      const record = utf8(bytes.subarray(space + 1, at + length - 1));
      const eq = record?.indexOf("=") ?? -1;
      if (record === undefined || eq <= 0)
        throw this.reject(name, "unsupported-pax", "a pax record is not key=value in UTF-8");
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (records.has(key))
        throw this.reject(name, "unsupported-pax", `pax key ${key} given twice`);
      if (key === "path") {
        if (value.includes("\0"))
          throw this.reject(value.replace(/\0/g, "\\0"), "nul-in-name", "NUL byte in a pax path");
        records.set(key, value);
      } else if (key === "size") {
        if (!/^\d{1,15}$/.test(value))
          throw this.reject(name, "bad-numeric-field", `pax size ${JSON.stringify(value)}`);
        records.set(key, value);
      } else if (!IGNORED_PAX.test(key) && !IGNORED_PAX_PREFIX.test(key)) {
        throw this.reject(
          name,
          key === "linkpath" ? "link" : "unsupported-pax",
          `pax record ${key} is not accepted`,
        );
      }
      at += length;
    }
    return records;
  }
}

function field(block: Buffer, [offset, length]: readonly [number, number]): Buffer {
  return block.subarray(offset, offset + length);
}

function text(block: Buffer, f: readonly [number, number]): string {
  return field(block, f).toString("latin1");
}

/** An octal field: digits, optionally space-padded, ended by NUL or space; base-256 refused. */
function octal(bytes: Buffer): number | undefined {
  const digits = /^ *([0-7]+)[ \0]*$/.exec(bytes.toString("latin1"))?.[1];
  if (digits === undefined) return undefined;
  const value = Number.parseInt(digits, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A NUL-terminated UTF-8 field; bytes after the first NUL must all be NUL. */
function cString(bytes: Buffer, label: string, reader: TarReader): string {
  const nul = bytes.indexOf(0);
  const end = nul === -1 ? bytes.length : nul;
  if (nul !== -1 && !isZero(bytes.subarray(nul))) {
    throw reader.reject(label, "nul-in-name", "NUL byte inside a name field");
  }
  const value = utf8(bytes.subarray(0, end));
  if (value === undefined) throw reader.reject(label, "bad-name", "name is not valid UTF-8");
  return value;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Buffer): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

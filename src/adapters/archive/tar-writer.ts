import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import {
  BLOCK,
  encodeHeader,
  MAX_OCTAL_SIZE,
  NAME_FIELD_BYTES,
  padding,
  paxRecords,
} from "./tar-header.js";

/**
 * Writes a POSIX tar (ustar; a pax header only for a name over 100 bytes or a size over 8 GiB)
 * of regular files to an open file, hashing every byte it writes.
 */
export class TarWriter {
  private readonly hash: Hash = createHash("sha256");
  bytes = 0;

  constructor(
    private readonly out: FileHandle,
    private readonly mtime: number,
  ) {}

  /** Starts a regular file entry; its `size` bytes must follow through `write`, then `endFile`. */
  async beginFile(name: string, size: number): Promise<void> {
    const longName = Buffer.byteLength(name, "utf8") > NAME_FIELD_BYTES;
    const bigSize = size > MAX_OCTAL_SIZE;
    if (longName || bigSize) {
      const pax = paxRecords({
        ...(longName ? { path: name } : {}),
        ...(bigSize ? { size: String(size) } : {}),
      });
      const paxName = `PaxHeader/${truncateUtf8(name, NAME_FIELD_BYTES - 10)}`;
      await this.write(
        encodeHeader({
          name: paxName,
          typeflag: "x",
          size: pax.length,
          mode: 0o644,
          mtime: this.mtime,
        }),
      );
      await this.write(pax);
      await this.write(padding(pax.length));
    }
    await this.write(
      encodeHeader({
        name: truncateUtf8(name, NAME_FIELD_BYTES),
        typeflag: "0",
        size: bigSize ? 0 : size,
        mode: 0o644,
        mtime: this.mtime,
      }),
    );
  }

  async endFile(size: number): Promise<void> {
    await this.write(padding(size));
  }

  async file(name: string, content: Buffer): Promise<void> {
    await this.beginFile(name, content.length);
    await this.write(content);
    await this.endFile(content.length);
  }

  /** The two zero blocks that end the archive. */
  async end(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
  }

  async write(bytes: Buffer): Promise<void> {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.out.write(bytes, at, bytes.length - at);
      at += bytesWritten;
    }
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out, "utf8") > maxBytes) out = out.slice(0, -1);
  return out;
}

import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

const READ_SIZE = 1 << 20;

/** Sequential reads from a file with a bounded buffer, hashing every byte of the file it reads. */
export class ByteSource {
  /** Bytes handed out so far. */
  position = 0;
  private pending: Buffer = Buffer.alloc(0);
  private eof = false;
  private readonly hash: Hash = createHash("sha256");

  constructor(private readonly handle: FileHandle) {}

  /** Up to `n` bytes (at most 1 MiB); fewer only at the end of the file. */
  async take(n: number): Promise<Buffer> {
    const want = Math.min(n, READ_SIZE);
    while (this.pending.length < want && !this.eof) {
      const buffer = Buffer.allocUnsafe(READ_SIZE);
      const { bytesRead } = await this.handle.read(buffer, 0, READ_SIZE, null);
      if (bytesRead === 0) {
        this.eof = true;
        break;
      }
      const got = buffer.subarray(0, bytesRead);
      this.hash.update(got);
      this.pending = this.pending.length === 0 ? got : Buffer.concat([this.pending, got]);
    }
    const out = this.pending.subarray(0, want);
    this.pending = this.pending.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** sha256 (hex) of everything read; call once, after the end of the file. */
  digest(): string {
    return this.hash.digest("hex");
  }
}

export function isZero(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

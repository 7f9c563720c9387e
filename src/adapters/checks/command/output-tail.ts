/** Keeps the last bytes of a program's output (stdout and stderr as they arrive). */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly maxBytes = 16 * 1024,
    private readonly maxLines = 20,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.maxBytes) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  /** The last `maxLines` lines, at most `maxBytes` bytes. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const bytes = all.length > this.maxBytes ? all.subarray(all.length - this.maxBytes) : all;
    const lines = bytes.toString("utf8").trimEnd().split("\n");
    return lines.slice(-this.maxLines).join("\n");
  }
}

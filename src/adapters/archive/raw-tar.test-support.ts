import { BLOCK, FIELD, headerChecksum, padding, paxRecords } from "./tar-header.js";

/** One hand-written tar entry: every field can hold what a well-behaved writer refuses. */
export interface RawEntry {
  readonly name: string;
  /** typeflag character; "0" by default. */
  readonly type?: string;
  readonly data?: Buffer | string;
  /** The size field when it should lie about the data that follows. */
  readonly size?: number;
  readonly linkname?: string;
  readonly prefix?: string;
  /** Added to the correct checksum (a non-zero value makes it wrong). */
  readonly checksumDelta?: number;
  readonly magic?: string;
  /** A pax extended header written before this entry. */
  readonly pax?: Record<string, string>;
}

/** A tar archive from raw entries (name bytes written as given, no checks). */
export function rawTar(entries: readonly RawEntry[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.pax) {
      const body = paxRecords(entry.pax);
      parts.push(
        rawHeader({ name: "PaxHeader/x", type: "x", size: body.length }),
        body,
        padding(body.length),
      );
    }
    const data = Buffer.from(entry.data ?? "");
    parts.push(
      rawHeader({ ...entry, size: entry.size ?? data.length }),
      data,
      padding(data.length),
    );
  }
  if (options.end !== false) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function rawHeader(entry: RawEntry & { size: number }): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (f: readonly [number, number], value: string) =>
    Buffer.from(value, "utf8").copy(block, f[0], 0, f[1]);
  const octal = (f: readonly [number, number], value: number) =>
    put(f, `${value.toString(8).padStart(f[1] - 1, "0")}\0`);
  put(FIELD.name, entry.name);
  octal(FIELD.mode, 0o644);
  octal(FIELD.uid, 0);
  octal(FIELD.gid, 0);
  octal(FIELD.size, entry.size);
  octal(FIELD.mtime, 0);
  put(FIELD.typeflag, entry.type ?? "0");
  put(FIELD.linkname, entry.linkname ?? "");
  put(FIELD.magic, entry.magic ?? "ustar\0");
  put(FIELD.version, "00");
  put(FIELD.prefix, entry.prefix ?? "");
  octal(FIELD.checksum, headerChecksum(block) + (entry.checksumDelta ?? 0));
  return block;
}

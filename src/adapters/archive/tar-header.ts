/**
 * POSIX ustar headers (IEEE Std 1003.1, `pax` format): 512-byte blocks, octal numeric fields,
 * checksum = sum of the header bytes with the checksum field read as spaces.
 */
export const BLOCK = 512;
export const USTAR_MAGIC = "ustar\0";
export const USTAR_VERSION = "00";
/** Largest size an 11-digit octal field holds; beyond it the size goes in a pax record. */
export const MAX_OCTAL_SIZE = 0o77777777777;
export const NAME_FIELD_BYTES = 100;

/** Field offsets and lengths of a ustar header. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** The sum of the header bytes with the checksum field counted as eight spaces. */
export function headerChecksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    sum +=
      i >= FIELD.checksum[0] && i < FIELD.checksum[0] + FIELD.checksum[1] ? 0x20 : (block[i] ?? 0);
  }
  return sum;
}

export interface HeaderFields {
  readonly name: string;
  readonly typeflag: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number;
}

/** One ustar header block (the caller keeps `name` within 100 bytes and `size` within octal). */
export function encodeHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = Buffer.from(fields.name, "utf8");
  name.copy(block, FIELD.name[0], 0, Math.min(name.length, NAME_FIELD_BYTES));
  writeOctal(block, FIELD.mode, fields.mode);
  writeOctal(block, FIELD.uid, 0);
  writeOctal(block, FIELD.gid, 0);
  writeOctal(block, FIELD.size, fields.size);
  writeOctal(block, FIELD.mtime, fields.mtime);
  block.write(fields.typeflag, FIELD.typeflag[0], "latin1");
  block.write(USTAR_MAGIC, FIELD.magic[0], "latin1");
  block.write(USTAR_VERSION, FIELD.version[0], "latin1");
  writeOctal(block, FIELD.checksum, headerChecksum(block));
  return block;
}

/** A pax extended-header body: `<len> <key>=<value>\n` records, `len` counting itself. */
export function paxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    const bodyBytes = Buffer.byteLength(body, "utf8");
    let length = bodyBytes + 1;
    while (String(length).length + bodyBytes !== length) length++;
    parts.push(Buffer.from(`${length}${body}`, "utf8"));
  }
  return Buffer.concat(parts);
}

/** Zero bytes that bring `size` up to a whole number of blocks. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function writeOctal(block: Buffer, [offset, length]: readonly [number, number], value: number) {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1) throw new Error(`${value} does not fit a ${length}-byte field`);
  block.write(`${digits}\0`, offset, "latin1");
}

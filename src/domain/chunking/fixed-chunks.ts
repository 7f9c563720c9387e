/**
 * Page-aligned chunking: a database file is cut at its page size, so a page that did not change
 * between two snapshots is the same chunk (same hash) in both.
 */

/** Cut points (chunk end offsets, ascending, the last one = `length`) for chunks of `size` bytes. */
export function fixedChunks(length: number, size: number): number[] {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`bad length ${length}`);
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`bad chunk size ${size}`);
  const cuts: number[] = [];
  for (let end = size; end < length; end += size) cuts.push(end);
  if (length > 0) cuts.push(length);
  return cuts;
}

const sqliteMagic = "SQLite format 3\u0000";

/** The length of the header prefix `sqlitePageSize` needs. */
export const sqliteHeaderLength = 100;

/**
 * The page size of a SQLite database from its header (big-endian u16 at offset 16; the value 1
 * means 65536), or `undefined` when the bytes are not a SQLite 3 header with a valid page size.
 */
export function sqlitePageSize(header: Uint8Array): number | undefined {
  if (header.length < 18) return undefined;
  for (let i = 0; i < sqliteMagic.length; i++) {
    if (header[i] !== sqliteMagic.charCodeAt(i)) return undefined;
  }
  const raw = ((header[16] ?? 0) << 8) | (header[17] ?? 0);
  const size = raw === 1 ? 65536 : raw;
  const powerOfTwo = (size & (size - 1)) === 0;
  return powerOfTwo && size >= 512 && size <= 65536 ? size : undefined;
}

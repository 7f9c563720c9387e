import { gearTable } from "./gear-table.js";

/** Chunk size bounds of the content-defined chunker, in bytes. */
export interface CdcParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
}

/** 16 KiB / 64 KiB / 256 KiB: small enough to dedupe edits, large enough to keep indexes small. */
export const defaultCdcParams: CdcParams = { minSize: 16384, avgSize: 65536, maxSize: 262144 };

/** An incremental chunker: feed it the stream in pieces of any size, it reports where to cut. */
export interface Cdc {
  /** Consumes `data` and returns the cut points it found, as absolute end offsets in the stream. */
  push(data: Uint8Array): number[];
  /** Ends the stream: returns the last cut point (the stream length) if bytes remain uncut. */
  finish(): number[];
}

/** A mask with the top `bits` bits set: the gear hash mixes the most recent bytes into high bits. */
function topBits(bits: number): number {
  return (~0 << (32 - bits)) | 0;
}

function validate(params: CdcParams): number {
  const { minSize, avgSize, maxSize } = params;
  const bits = Math.log2(avgSize);
  if (!Number.isInteger(bits) || bits < 8 || bits > 28) {
    throw new RangeError(`CDC avgSize must be a power of two in 256..2^28, got ${avgSize}`);
  }
  if (!Number.isSafeInteger(minSize) || minSize < 64 || minSize >= avgSize) {
    throw new RangeError(`CDC minSize must be in 64..avgSize-1, got ${minSize}`);
  }
  if (!Number.isSafeInteger(maxSize) || maxSize <= avgSize) {
    throw new RangeError(`CDC maxSize must exceed avgSize, got ${maxSize}`);
  }
  return bits;
}

/**
 * FastCDC (Xia et al., USENIX ATC 2016) with normalized chunking, level 2: no cut before
 * `minSize`; up to `avgSize` a stricter mask (avg bits + 2), after it a looser one (avg bits - 2);
 * a forced cut at `maxSize`. The gear hash starts afresh after each cut, so a cut depends only on
 * the bytes of its own chunk: an edit moves at most the cut points up to the next unchanged one.
 * State is two numbers, so memory is bounded whatever the stream length.
 */
export function createCdc(params: CdcParams = defaultCdcParams): Cdc {
  const bits = validate(params);
  const { minSize, avgSize, maxSize } = params;
  const maskS = topBits(bits + 2);
  const maskL = topBits(bits - 2);
  const gear = gearTable;
  let offset = 0; // stream offset of data[0]
  let chunkLen = 0; // bytes of the current chunk seen so far
  let hash = 0;

  return {
    push(data) {
      // Locals, not the closure's: V8 keeps them in registers through the byte loops.
      const table = gear;
      const strict = maskS;
      const loose = maskL;
      const cuts: number[] = [];
      const n = data.length;
      let i = 0;
      while (i < n) {
        if (chunkLen < minSize) {
          // Bytes before minSize never decide a cut: skip them without hashing.
          const skip = Math.min(minSize - chunkLen, n - i);
          i += skip;
          chunkLen += skip;
          continue;
        }
        // Hash until a cut or the end of this piece; the mask switches at avgSize. The chunk's
        // length at byte i is `lenAt0 + i`, not counted per byte: the loops stay two operations
        // and a test per byte, twice as fast as with a counter.
        const lenAt0 = chunkLen - i;
        let h = hash;
        let cutAt = -1;
        const normalEnd = Math.min(n, i + Math.max(0, avgSize - chunkLen));
        for (; i < normalEnd; i++) {
          h = ((h << 1) + (table[data[i] as number] as number)) | 0;
          if ((h & strict) === 0) {
            cutAt = i + 1;
            break;
          }
        }
        if (cutAt < 0) {
          const end = Math.min(n, maxSize - lenAt0);
          for (; i < end; i++) {
            h = ((h << 1) + (table[data[i] as number] as number)) | 0;
            if ((h & loose) === 0) {
              cutAt = i + 1;
              break;
            }
          }
          if (cutAt < 0 && lenAt0 + i >= maxSize) cutAt = i;
        }
        if (cutAt >= 0) {
          cuts.push(offset + cutAt);
          i = cutAt;
          chunkLen = 0;
          hash = 0;
        } else {
          chunkLen = lenAt0 + i;
          hash = h;
        }
      }
      offset += n;
      return cuts;
    },
    finish() {
      const cuts = chunkLen > 0 ? [offset] : [];
      chunkLen = 0;
      hash = 0;
      return cuts;
    },
  };
}

/** Cut points of a whole buffer (a convenience over `createCdc` for data already in memory). */
export function cdcChunks(data: Uint8Array, params: CdcParams = defaultCdcParams): number[] {
  const cdc = createCdc(params);
  return [...cdc.push(data), ...cdc.finish()];
}

/**
 * The gear table of the content-defined chunker: 256 pseudo-random 32-bit values, one per byte
 * value. It is generated, not stored, by SplitMix32 (Mix32 finaliser of a Weyl sequence with
 * increment 0x9e3779b9) seeded with `gearSeed`. Changing the seed or the generator changes every
 * cut point, and with it every chunk hash: snapshots taken before and after would not dedupe.
 */
export const gearSeed = 0x53484950; // "SHIP"

function generateGearTable(seed: number): Int32Array {
  const table = new Int32Array(256);
  let state = seed | 0;
  for (let i = 0; i < 256; i++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = z ^ (z >>> 16);
  }
  return table;
}

/** The gear table every chunker uses (deterministic across runs, machines and versions). */
export const gearTable: Int32Array = generateGearTable(gearSeed);

/** The outcome of a one-sided Mann-Whitney U test of `current` against `baseline`. */
export interface RankTest {
  /** U of the current sample: pairs (baseline, current) with current ahead, ties counting ½. */
  readonly u: number;
  /** The normal approximation's z (continuity- and tie-corrected); null for the exact test. */
  readonly z: number | null;
  /** P(U at least this extreme in the tested direction | same distribution). */
  readonly pValue: number;
  readonly method: "exact" | "normal";
  /** Cliff's delta in the tested direction: +1 every current value is worse than every baseline. */
  readonly cliffsDelta: number;
}

/** Exact distribution when the smaller sample has at most this many values and N ≤ EXACT_MAX_N. */
export const EXACT_MAX_SMALL = 10;
export const EXACT_MAX_N = 60;

/**
 * One-sided Mann-Whitney U (Wilcoxon rank-sum) test: does `current` tend to lie above the baseline
 * (`greater`) or below it (`less`)? Ties take midranks. Small samples use the exact permutation
 * distribution of the midrank sum (exact with ties too); larger ones the normal approximation
 * with tie-corrected variance and a continuity correction. Pure; docs/observation.md#the-analysis.
 */
export function mannWhitney(
  baseline: readonly number[],
  current: readonly number[],
  alternative: "greater" | "less",
): RankTest {
  const nx = baseline.length;
  const ny = current.length;
  if (nx === 0 || ny === 0) throw new RangeError("mannWhitney needs two non-empty samples");
  const pooled = [
    ...baseline.map((value) => ({ value, current: false })),
    ...current.map((value) => ({ value, current: true })),
  ].sort((a, b) => a.value - b.value);
  const n = pooled.length;
  // Doubled midranks are integers: a tie group spanning ranks i+1..j gets i+1+j.
  const doubled = new Array<number>(n);
  const tieGroups: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && (pooled[j + 1] as { value: number }).value === pooled[i]?.value) j += 1;
    for (let k = i; k <= j; k++) doubled[k] = i + 1 + (j + 1);
    tieGroups.push(j - i + 1);
    i = j + 1;
  }
  let rankSum2 = 0;
  pooled.forEach((entry, k) => {
    if (entry.current) rankSum2 += doubled[k] as number;
  });
  const uGreater = rankSum2 / 2 - (ny * (ny + 1)) / 2;
  const u = alternative === "greater" ? uGreater : nx * ny - uGreater;
  const cliffsDelta = (2 * u) / (nx * ny) - 1;

  if (Math.min(nx, ny) <= EXACT_MAX_SMALL && n <= EXACT_MAX_N) {
    const pValue = exactTail(doubled, pooled, ny, rankSum2, alternative);
    return { u, z: null, pValue, method: "exact", cliffsDelta };
  }
  const mean = (nx * ny) / 2;
  const tieTerm = tieGroups.reduce((sum, t) => sum + (t ** 3 - t), 0) / (n * (n - 1));
  const variance = ((nx * ny) / 12) * (n + 1 - tieTerm);
  if (variance <= 0) return { u, z: 0, pValue: 1, method: "normal", cliffsDelta };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: upperNormalTail(z), method: "normal", cliffsDelta };
}

/**
 * P(a random subset of size `ny` of the pooled doubled midranks sums to at least (greater) or at
 * most (less) the observed sum), counted by dynamic programming over the smaller side.
 */
function exactTail(
  doubled: readonly number[],
  pooled: readonly { current: boolean }[],
  ny: number,
  observed: number,
  alternative: "greater" | "less",
): number {
  const n = doubled.length;
  const total = doubled.reduce((a, b) => a + b, 0);
  // Count over the smaller group; the other group's sum is total − this one's.
  const useCurrent = ny <= n - ny;
  const k = useCurrent ? ny : n - ny;
  const own = useCurrent
    ? observed
    : pooled.reduce((s, e, i) => (e.current ? s : s + (doubled[i] as number)), 0);
  const maxSum = total;
  const width = maxSum + 1;
  const counts = new Float64Array((k + 1) * width);
  counts[0] = 1;
  doubled.forEach((w, index) => {
    for (let size = Math.min(index + 1, k); size >= 1; size--) {
      const row = size * width;
      const prev = (size - 1) * width;
      for (let s = maxSum; s >= w; s--) {
        const add = counts[prev + s - w] as number;
        if (add !== 0) counts[row + s] = (counts[row + s] as number) + add;
      }
    }
  });
  // "current ranks high" is "own sum high" when counting the current group, "low" otherwise.
  const wantHigh = (alternative === "greater") === useCurrent;
  let tail = 0;
  let all = 0;
  for (let s = 0; s <= maxSum; s++) {
    const c = counts[k * width + s] as number;
    all += c;
    if (wantHigh ? s >= own : s <= own) tail += c;
  }
  return Math.min(1, tail / all);
}

/** P(Z ≥ z) for a standard normal Z. */
export function upperNormalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

import { formatBytes } from "../bytes.js";
import type { CheckOutcome } from "./check-outcome.js";

/** The size of one protected asset now; undefined when it cannot be measured from here. */
export interface AssetSize {
  readonly name: string;
  readonly bytes: number | undefined;
  /** How the size was found when not measured live, e.g. `newest snapshot snap-…`. */
  readonly source?: string | undefined;
}

export interface FreeSpace {
  /** The directory whose filesystem was measured. */
  readonly path: string;
  /** Bytes an unprivileged process may still write there. */
  readonly availableBytes: number;
}

/**
 * There must be room for a snapshot of the current state: free space ≥ the assets' size × factor.
 * An asset whose size is unknown is named and turns a pass into a warning.
 */
export function evaluateDiskSpace(
  factor: number,
  assets: readonly AssetSize[],
  free: FreeSpace,
): CheckOutcome {
  const known = assets.filter((a) => a.bytes !== undefined);
  const unknown = assets.filter((a) => a.bytes === undefined);
  const stateBytes = known.reduce((sum, a) => sum + (a.bytes ?? 0), 0);
  const needed = Math.ceil(stateBytes * factor);
  const details = {
    path: free.path,
    availableBytes: free.availableBytes,
    stateBytes,
    neededBytes: needed,
    factor,
    assets: assets.map((a) => ({ name: a.name, bytes: a.bytes ?? null })),
  };
  const state =
    assets.length === 0
      ? "no state assets configured"
      : `state ${formatBytes(stateBytes)} × ${factor} = ${formatBytes(needed)} needed`;
  const unknownNote =
    unknown.length > 0
      ? [`size unknown for ${unknown.map((a) => a.name).join(", ")}: not counted`]
      : [];
  if (free.availableBytes < needed) {
    return {
      status: "fail",
      diagnostics: [
        `${free.path}: ${formatBytes(free.availableBytes)} free, ${state}`,
        ...unknownNote,
        "free space on that filesystem (e.g. shipsafe snapshot prune) or move the state dir (--state-dir)",
      ],
      details,
    };
  }
  return {
    status: unknown.length > 0 ? "warn" : "pass",
    diagnostics: [
      `${free.path}: ${formatBytes(free.availableBytes)} free, ${state}`,
      ...unknownNote,
    ],
    details,
  };
}

import { parseDuration } from "../domain/duration.js";
import { ShipsafeError } from "../domain/errors.js";

/** Parses a duration flag (`30s`, `5m`), with a usage error naming the flag. */
export function durationFlag(value: string, flag: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new ShipsafeError({
      code: "USAGE",
      kind: "usage",
      message: `${flag} must be a duration such as 30s, 5m or 1h, got "${value}"`,
      hint: `for example ${flag} 5m`,
    });
  }
}

export function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new ShipsafeError({
      code: "USAGE",
      kind: "usage",
      message: `${flag} must be a positive integer, got "${value}"`,
      hint: `for example ${flag} 20`,
    });
  }
  return n;
}

import { ShipsafeError } from "./errors.js";

/**
 * Durations as people write them in config and on the command line: `300ms`, `5s`, `2m`, `1h`,
 * `30d`, or a sequence such as `1m30s`. Whole numbers only, so a value always round-trips exactly.
 */
export const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d))+$/;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;

/** True when `text` is a duration `parseDuration` accepts. */
export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text);
}

/** Parses a duration into milliseconds; throws DURATION_INVALID (a usage error) otherwise. */
export function parseDuration(text: string): number {
  if (!isDuration(text)) {
    throw new ShipsafeError({
      code: "DURATION_INVALID",
      kind: "usage",
      message: `invalid duration ${JSON.stringify(text)}`,
      hint: "write a whole number followed by ms, s, m, h or d, e.g. 300ms, 5s, 2m, 1h, 30d or 1m30s",
    });
  }
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return total;
}

/** Formats milliseconds as the shortest duration string, e.g. 90000 -> `1m30s`, 0 -> `0ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration expects a non-negative integer, got ${ms}`);
  }
  if (ms === 0) return "0ms";
  let rest = ms;
  let out = "";
  for (const unit of ["d", "h", "m", "s", "ms"] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return out;
}

import type { MetricDefinition } from "./metric-definition.js";

type Unit = MetricDefinition["unit"];

/** A value as people read it: 24.4%, 97.4 ms, 65.5 rps, ready / not ready, or 3 digits. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return "-";
  switch (unit) {
    case "ratio":
      return `${(value * 100).toFixed(1)}%`;
    case "ms":
      return `${value.toFixed(1)} ms`;
    case "rps":
      return `${value.toFixed(1)} rps`;
    case "boolean":
      return value >= 1 ? "ready" : "not ready";
    default:
      return Number.isInteger(value) ? String(value) : value.toPrecision(3);
  }
}

/** The change from baseline: points for ratios, a factor for the rest (`-` when unknown). */
export function formatChange(value: number | null, base: number | null, unit: Unit): string {
  if (value === null || base === null) return "-";
  if (unit === "ratio") return `${signed((value - base) * 100)} points`;
  if (unit === "boolean") return value === base ? "=" : value > base ? "up" : "down";
  if (base === 0) return value === 0 ? "=" : `${signed(value)} from 0`;
  return `${(value / base).toFixed(2)}x`;
}

/** The threshold as a limit string, e.g. `+5.0 points`, `2.00x`, `< ready`. */
export function formatLimit(
  kind: "absolute" | "relative" | "delta",
  limit: number,
  d: Pick<MetricDefinition, "unit" | "direction">,
): string {
  const worse = d.direction === "higher-is-worse" ? 1 : -1;
  if (kind === "absolute") return formatValue(limit, d.unit);
  if (kind === "relative") return `${(1 + worse * limit).toFixed(2)}x`;
  if (d.unit === "ratio") return `${signed(worse * limit * 100)} points`;
  return signed(worse * limit);
}

export function signed(value: number): string {
  const text = value.toFixed(1);
  return value >= 0 && !text.startsWith("-") ? `+${text}` : text;
}

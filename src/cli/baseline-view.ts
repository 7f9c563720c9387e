import type { Baseline } from "../app/observation/baseline.js";
import { formatValue } from "../domain/observation/metric-format.js";
import type { MetricResult } from "../domain/observation/verdict.js";

/** The ops summary of a captured baseline: per metric n, median, p95, min-max, reference. */
export function renderBaselineSummary(b: Baseline): string[] {
  const unit = (u: string) => u as MetricResult["unit"];
  const rows = [
    ["metric", "intervals", "requests", "reference", "median", "p95", "min", "max"],
    ...b.metrics.map((m) => [
      m.name,
      String(m.stats.n),
      m.stats.traffic === null ? "-" : String(Math.round(m.stats.traffic)),
      formatValue(m.stats.reference, unit(m.unit)),
      formatValue(m.stats.median, unit(m.unit)),
      formatValue(m.stats.p95, unit(m.unit)),
      formatValue(m.stats.min, unit(m.unit)),
      formatValue(m.stats.max, unit(m.unit)),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return [
    `baseline ${b.id} of ${b.env} (${b.version ?? "-"}): ${b.intervals.length} intervals of ${b.intervalMs}ms from ${b.source} (${b.method})`,
    ...rows.map(
      (r) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}`,
    ),
  ];
}

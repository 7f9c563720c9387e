import type { ObservationTick } from "../app/observation/observe-window.js";
import { formatChange, formatValue } from "../domain/observation/metric-format.js";
import type { MetricResult, Verdict } from "../domain/observation/verdict.js";
import type { CliIo } from "./io.js";
import type { Output } from "./output.js";

/** The metric table: metric, baseline, now, change, status (pure, for tests and compare). */
export function renderMetricTable(results: readonly MetricResult[]): string[] {
  const rows = [
    ["metric", "baseline", "now", "change", "status"],
    ...results.map((r) => [
      r.label,
      formatValue(r.baseline, r.unit),
      formatValue(r.current, r.unit),
      formatChange(r.current, r.baseline, r.unit),
      r.outcome === "pass"
        ? "ok"
        : r.streak > 0 && r.outcome === "degraded"
          ? `breach ${r.streak}x`
          : r.outcome,
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

export function verdictLine(v: Verdict): string {
  return `verdict: ${v.status}${v.severity ? ` ${v.severity}` : ""}`;
}

/** The live view of one interval: the table, the verdict, the time left. */
export function renderWatchView(tick: ObservationTick, version: string | null): string[] {
  const left = Math.ceil(tick.remainingMs / 1000);
  const mm = `${Math.floor(left / 60)}m${String(left % 60).padStart(2, "0")}s`;
  const v = tick.verdict;
  return [
    `watching ${version ?? "-"}: interval ${tick.index}, ${mm} left`,
    ...renderMetricTable(v.results ?? []).map((line) => `  ${line}`),
    `${verdictLine(v)}${v.status === "healthy" ? "" : ` — ${v.reasons[0] ?? ""}`}`,
  ];
}

/**
 * A block of lines redrawn in place on a terminal (cursor up, clear, rewrite); elsewhere each
 * frame's last line is printed as a note, so logs keep one line per interval.
 */
export function createLiveBlock(out: Output, io: CliIo) {
  let drawn = 0;
  return {
    draw(lines: readonly string[]): void {
      if (!out.canDrawLive) {
        out.note(lines.at(-1) ?? "");
        return;
      }
      const up = drawn > 0 ? `\x1b[${drawn}F` : "";
      const body = lines.map((l) => `\x1b[2K${out.redact.redactText(l)}`).join("\n");
      io.stderr.write(`${up}${body}\n\x1b[J`);
      drawn = lines.length;
    },
  };
}

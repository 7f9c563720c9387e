import type { RunPoint } from "./gate-summary.js";
import { escapeHtml } from "./html-escape.js";

const LEFT = 44;
const RIGHT = 12;
const TOP = 10;
const BAR = 34;
const AXIS_LABELS = 22;
const HEIGHT = TOP + 2 * BAR + AXIS_LABELS;
const MIDLINE = TOP + BAR;

/** The horizontal room per run: wide for a few runs, narrower for many (at least 4px). */
function stepFor(runs: number): number {
  return Math.max(4, Math.min(24, Math.floor(640 / Math.max(1, runs))));
}

/**
 * An inline SVG of a gate's runs over time, oldest on the left: one mark per run, a bar above the
 * line for a pass (class `run-mark pass`) and below it for a failure (`run-mark fail`), each with
 * a tooltip naming the run, its time and the checks that failed it. Drawn here, no library.
 */
export function renderRunChart(gate: string, runs: readonly RunPoint[]): string {
  const step = stepFor(runs.length);
  // Wide enough for the two date labels even with one run.
  const width = Math.max(320, LEFT + runs.length * step + RIGHT);
  const barWidth = Math.max(2, step - 2);
  const marks = runs.map((run, i) => {
    const x = LEFT + i * step + 1;
    const y = run.passed ? TOP : MIDLINE;
    const tip = `${run.passed ? "passed" : "FAILED"} ${run.startedAt} ${run.id}${run.failedChecks.length > 0 ? ` — failed: ${run.failedChecks.join(", ")}` : ""}`;
    return `<rect class="run-mark ${run.passed ? "pass" : "fail"}" x="${x}" y="${y}" width="${barWidth}" height="${BAR}" data-run="${escapeHtml(run.id)}"><title>${escapeHtml(tip)}</title></rect>`;
  });
  const first = runs[0]?.startedAt ?? "";
  const last = runs.at(-1)?.startedAt ?? "";
  const label = `${gate}: ${runs.filter((r) => r.passed).length} passed, ${runs.filter((r) => !r.passed).length} failed, oldest run on the left`;
  return [
    `<svg class="run-chart" role="img" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" aria-label="${escapeHtml(label)}">`,
    `<title>${escapeHtml(label)}</title>`,
    `<text class="axis" x="${LEFT - 6}" y="${TOP + BAR / 2 + 4}" text-anchor="end">pass</text>`,
    `<text class="axis" x="${LEFT - 6}" y="${MIDLINE + BAR / 2 + 4}" text-anchor="end">fail</text>`,
    ...marks,
    `<line class="midline" x1="${LEFT}" y1="${MIDLINE}" x2="${width - RIGHT}" y2="${MIDLINE}"/>`,
    `<text class="axis" x="${LEFT}" y="${HEIGHT - 6}">${escapeHtml(first.slice(0, 16).replace("T", " "))}</text>`,
    `<text class="axis" x="${width - RIGHT}" y="${HEIGHT - 6}" text-anchor="end">${escapeHtml(last.slice(0, 16).replace("T", " "))}</text>`,
    "</svg>",
  ].join("\n");
}

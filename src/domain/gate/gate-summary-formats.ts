import type { GateSummaryReport } from "./gate-summary.js";
import { renderGateSummaryHtml } from "./gate-summary-html.js";
import { renderGateSummaryJson } from "./gate-summary-json.js";
import { renderGateSummaryMarkdown } from "./gate-summary-markdown.js";

/** The formats `gate summary --format` renders, each with its file extension for `--out`. */
export const GATE_SUMMARY_FORMATS = {
  json: { extension: "json", render: renderGateSummaryJson },
  md: { extension: "md", render: renderGateSummaryMarkdown },
  html: { extension: "html", render: renderGateSummaryHtml },
} as const satisfies Record<
  string,
  { extension: string; render: (report: GateSummaryReport) => string }
>;

export type GateSummaryFormat = keyof typeof GATE_SUMMARY_FORMATS;

/** Whether `value` names a summary format. */
export function isGateSummaryFormat(value: string): value is GateSummaryFormat {
  return Object.hasOwn(GATE_SUMMARY_FORMATS, value);
}

/** The file `--out DIR` writes for a format: `gate-summary.<ext>`. */
export function gateSummaryFileName(format: GateSummaryFormat): string {
  return `gate-summary.${GATE_SUMMARY_FORMATS[format].extension}`;
}

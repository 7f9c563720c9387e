import type { JsonObject } from "../model/json.js";
import type { GateSummaryReport } from "./gate-summary.js";

/** The summary as its JSON document (what `--json` and `--format json` print). */
export function gateSummaryJson(report: GateSummaryReport): JsonObject {
  return report as unknown as JsonObject;
}

/** The JSON document as text: two-space indented, ending with a newline. */
export function renderGateSummaryJson(report: GateSummaryReport): string {
  return `${JSON.stringify(gateSummaryJson(report), null, 2)}\n`;
}

import type { GateSummary, GateSummaryReport } from "./gate-summary.js";
import { passedOf, percent, streakText, trendText } from "./gate-summary-text.js";

/**
 * Text safe inside Markdown (and a table cell): HTML-significant characters become entities, so
 * a rendered report cannot run markup from a stored diagnostic; Markdown syntax is backslashed.
 */
export function markdownText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#])/g, "\\$1")
    .replace(/\r?\n/g, " ");
}

const md = markdownText;

/** The gate summary as Markdown: an overview table, then per gate its numbers, checks and runs. */
export function renderGateSummaryMarkdown(report: GateSummaryReport): string {
  const lines = [
    `# Gate summary: ${md(report.service)} (${md(report.env)})`,
    "",
    `The newest ${report.limit} runs of each gate, as of ${md(report.generatedAt)}.`,
    "",
  ];
  if (report.gates.length === 0) {
    lines.push(`No gate runs are recorded for ${md(report.env)} yet.`, "");
    return lines.join("\n");
  }
  lines.push(
    "| gate | runs | passed | failed | pass rate | trend (older → newer half) | last run |",
    "| ---- | ---: | -----: | -----: | --------: | -------------------------- | -------- |",
  );
  for (const g of report.gates) {
    const last = g.history.at(-1);
    lines.push(
      `| ${md(g.gate)} | ${g.runs} | ${g.passed} | ${g.failed} | ${percent(g.passRate)} | ${trendText(g.trend)} | ${last?.passed ? "passed" : "FAILED"} ${md(g.lastRunAt)} |`,
    );
  }
  lines.push("");
  for (const g of report.gates) lines.push(...gateSection(g));
  return lines.join("\n");
}

function gateSection(g: GateSummary): string[] {
  const lines = [
    `## ${md(g.gate)}`,
    "",
    `- pass rate: ${passedOf(g)}`,
    `- trend: older half ${passedOf(g.trend.older)}, newer half ${passedOf(g.trend.newer)}: ${trendText(g.trend)}`,
    `- runs, oldest → newest: \`${g.trend.sequence}\` (P passed, F failed)`,
    `- streak: ${streakText(g.streak)}`,
    "",
  ];
  if (g.failingChecks.length > 0) {
    lines.push(
      "### Checks that fail most",
      "",
      "| check | subsystem | failed | errors | runs it made fail | runs with it | last failed |",
      "| ----- | --------- | -----: | -----: | ----------------: | -----------: | ----------- |",
      ...g.failingChecks.map(
        (c) =>
          `| ${md(c.name)} | ${md(c.subsystem)} | ${c.failed} | ${c.errored} | ${c.total} | ${c.runs} | ${md(c.lastFailedAt)} |`,
      ),
      "",
    );
  }
  const f = g.lastFailure;
  if (f !== null) {
    lines.push(
      "### Last failure",
      "",
      `Run ${md(f.id)} at ${md(f.startedAt)}${f.version === null ? "" : `, release ${md(f.version)}`}, evidence ${f.evidenceHash === null ? "none" : md(f.evidenceHash)}:`,
      "",
    );
    for (const check of f.checks) {
      const [first = "", ...rest] = check.diagnostics;
      lines.push(`- **${md(check.name)}** (${md(check.subsystem)}) ${check.status}: ${md(first)}`);
      for (const more of rest) lines.push(`  - ${md(more)}`);
    }
    lines.push("");
  }
  lines.push(
    "### Runs and evidence",
    "",
    "| started | run | result | failed checks | evidence |",
    "| ------- | --- | ------ | ------------- | -------- |",
  );
  for (const run of [...g.history].reverse()) {
    lines.push(
      `| ${md(run.startedAt)} | ${md(run.id)} | ${run.passed ? "passed" : "FAILED"} | ${run.failedChecks.map(md).join(", ")} | ${run.evidenceHash === null ? "none" : md(run.evidenceHash)} |`,
    );
  }
  lines.push("");
  return lines;
}

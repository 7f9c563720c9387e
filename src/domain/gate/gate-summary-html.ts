import { renderRunChart } from "./gate-run-chart.js";
import type { GateSummary, GateSummaryReport } from "./gate-summary.js";
import { evidencePath, passedOf, percent, streakText, trendText } from "./gate-summary-text.js";
import { escapeHtml as h } from "./html-escape.js";

// Nothing may load from elsewhere: the policy forbids every fetch; styles are inline.
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 8px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #5b6475; margin: 0 0 20px; }
section.gate { border: 1px solid #d8dce4; border-radius: 8px; padding: 16px 18px; margin: 0 0 24px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { border: 1px solid #d8dce4; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
code.hash { word-break: break-all; } td.when, code.run { white-space: nowrap; }
.passed { color: #17663a; font-weight: 600; } .failed { color: #b3261e; font-weight: 600; }
.run-chart { display: block; max-width: 100%; height: auto; margin: 6px 0 12px; }
.run-mark.pass { fill: #2e9d5b; } .run-mark.fail { fill: #d2433a; }
.midline { stroke: #5b6475; stroke-width: 1; }
.axis { font-size: 11px; fill: #5b6475; }
ul.diagnostics { margin: 4px 0; padding-left: 20px; } ul.diagnostics li { white-space: pre-wrap; }
`;

const result = (passed: boolean): string =>
  passed ? `<span class="passed">passed</span>` : `<span class="failed">FAILED</span>`;

const row = (cells: readonly string[]): string => `<tr>${cells.join("")}</tr>`;
const headers = (names: readonly string[]): string => row(names.map((n) => `<th>${h(n)}</th>`));
const cell = (html: string): string => `<td>${html}</td>`;
const num = (n: number): string => `<td class="num">${n}</td>`;

/**
 * The gate summary as one self-contained HTML page: inline CSS, an inline SVG chart of pass/fail
 * per run for each gate, and a table per gate. Every value is HTML-escaped; nothing is fetched.
 */
export function renderGateSummaryHtml(report: GateSummaryReport): string {
  const title = `Gate summary: ${report.service} (${report.env})`;
  const body =
    report.gates.length === 0
      ? `<p class="empty">No gate runs are recorded for ${h(report.env)} yet.</p>`
      : report.gates.map(gateSection).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${h(title)}</h1>
<p class="meta">The newest ${report.limit} runs of each gate, as of ${h(report.generatedAt)}. Evidence documents are named by their hash under the state directory (<code>evidence/&lt;first 2&gt;/&lt;hash&gt;.json</code>).</p>
${body}
</body>
</html>
`;
}

function gateSection(g: GateSummary): string {
  const id = `gate-${g.gate.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const parts = [
    `<section class="gate" id="${h(id)}" data-gate="${h(g.gate)}">`,
    `<h2>${h(g.gate)} — ${percent(g.passRate)} passed</h2>`,
    renderRunChart(g.gate, g.history),
    `<table class="gate-table">`,
    headers([
      "runs",
      "passed",
      "failed",
      "pass rate",
      "older half",
      "newer half",
      "trend",
      "streak",
    ]),
    row([
      num(g.runs),
      num(g.passed),
      num(g.failed),
      `<td class="num">${percent(g.passRate)}</td>`,
      cell(h(passedOf(g.trend.older))),
      cell(h(passedOf(g.trend.newer))),
      cell(h(trendText(g.trend))),
      cell(h(streakText(g.streak))),
    ]),
    "</table>",
    `<p>Runs, oldest → newest: <code class="sequence">${h(g.trend.sequence)}</code> (P passed, F failed)</p>`,
  ];
  if (g.failingChecks.length > 0) {
    parts.push(
      "<h3>Checks that fail most</h3>",
      `<table class="failing-checks">`,
      headers([
        "check",
        "subsystem",
        "failed",
        "errors",
        "runs it made fail",
        "runs with it",
        "last failed",
      ]),
      ...g.failingChecks.map((c) =>
        row([
          cell(h(c.name)),
          cell(h(c.subsystem)),
          num(c.failed),
          num(c.errored),
          num(c.total),
          num(c.runs),
          cell(h(c.lastFailedAt)),
        ]),
      ),
      "</table>",
    );
  }
  const f = g.lastFailure;
  if (f !== null) {
    parts.push(
      "<h3>Last failure</h3>",
      `<p class="last-failure">Run <code>${h(f.id)}</code> at ${h(f.startedAt)}${f.version === null ? "" : `, release ${h(f.version)}`}, evidence ${evidence(f.evidenceHash)}</p>`,
      `<ul class="diagnostics">`,
      ...f.checks.map(
        (c) =>
          `<li><strong>${h(c.name)}</strong> (${h(c.subsystem)}) ${h(c.status)}: ${c.diagnostics.map(h).join("\n")}</li>`,
      ),
      "</ul>",
    );
  }
  parts.push(
    "<h3>Runs and evidence</h3>",
    `<table class="runs">`,
    headers(["started", "run", "result", "failed checks", "evidence"]),
    ...[...g.history]
      .reverse()
      .map((r) =>
        row([
          `<td class="when">${h(r.startedAt)}</td>`,
          cell(`<code class="run">${h(r.id)}</code>`),
          cell(result(r.passed)),
          cell(h(r.failedChecks.join(", "))),
          cell(evidence(r.evidenceHash)),
        ]),
      ),
    "</table>",
    "</section>",
  );
  return parts.join("\n");
}

function evidence(hash: string | null): string {
  return hash === null
    ? "none"
    : `<code class="hash" title="${h(evidencePath(hash))}">${h(hash)}</code>`;
}

import { describe, expect, it } from "vitest";
import { summarizeGateRuns } from "./gate-summary.js";
import { storedRun, thirtyRunsFixture } from "./gate-summary.test-support.js";
import { GATE_SUMMARY_FORMATS, gateSummaryFileName } from "./gate-summary-formats.js";
import { renderGateSummaryHtml } from "./gate-summary-html.js";
import { summaryRunFromRecord } from "./gate-summary-input.js";
import { markdownText, renderGateSummaryMarkdown } from "./gate-summary-markdown.js";

const options = { service: "orders", env: "production", generatedAt: "2026-11-02T00:00:00.000Z" };
const report = summarizeGateRuns(thirtyRunsFixture().map(summaryRunFromRecord), {
  ...options,
  limit: 30,
});

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/** A run whose stored strings try to break out of HTML and Markdown. */
const hostile = summarizeGateRuns(
  [
    summaryRunFromRecord(
      storedRun("release", 1, [
        {
          name: 'x"><script>alert(1)</script>',
          status: "fail",
          diagnostics: ["<img src=x onerror=alert(1)> | & `code` [link](http://evil)"],
        },
      ]),
    ),
  ],
  { ...options, limit: 20 },
);

describe("gate summary as Markdown", () => {
  it("has the overview row, the failing checks, the last failure and the evidence", () => {
    const md = renderGateSummaryMarkdown(report);
    expect(md).toContain("# Gate summary: orders (production)");
    expect(md).toContain(
      "| release | 30 | 23 | 7 | 76.7% | 66.7% → 86.7%, improving | passed 2026-11-01T05:00:00.000Z |",
    );
    expect(md).toContain("| host | 4 | 1 | 3 | 25% | 0% → 50%, improving |");
    expect(md).toContain("- runs, oldest → newest: `PFPFFPPFPPPPFPPPFPPPPPPPFPPPPP`");
    expect(md).toContain("| http | health | 4 | 0 | 4 | 30 | 2026-11-01T02:50:00.000Z |");
    expect(md).toContain(
      "- **endpoints** (health) fail: GET http://127.0.0.1:9/health/live: connection refused",
    );
    expect(md).toContain(`r${"250".padStart(63, "0")}`);
  });

  it("escapes what could be markup or table syntax", () => {
    expect(markdownText("a|b <i>`c`</i>\nd")).toBe("a\\|b &lt;i&gt;\\`c\\`&lt;/i&gt; d");
    const md = renderGateSummaryMarkdown(hostile);
    expect(md).not.toContain("<script");
    expect(md).not.toContain("<img");
  });

  it("says so when nothing is recorded", () => {
    const empty = summarizeGateRuns([], { ...options, limit: 20 });
    expect(renderGateSummaryMarkdown(empty)).toContain(
      "No gate runs are recorded for production yet.",
    );
  });
});

describe("gate summary as HTML", () => {
  const html = renderGateSummaryHtml(report);

  it("is one self-contained page: inline style, no script, nothing fetched", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    for (const banned of [/<script/i, /<link/i, /\ssrc=/i, /\shref=/i, /@import/i, /url\(/i]) {
      expect(html).not.toMatch(banned);
    }
  });

  it("draws one chart per gate with one mark per run, and a table per gate", () => {
    expect(count(html, /<svg class="run-chart"/g)).toBe(4);
    expect(count(html, /<table class="gate-table">/g)).toBe(4);
    const release = html.slice(
      html.indexOf('data-gate="release"'),
      html.indexOf('data-gate="restore"'),
    );
    expect(count(release, /class="run-mark pass"/g)).toBe(23);
    expect(count(release, /class="run-mark fail"/g)).toBe(7);
    expect(release).toContain('<td class="num">76.7%</td>');
  });

  it("escapes every stored value", () => {
    const page = renderGateSummaryHtml(hostile);
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img");
    expect(page).toContain("x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; | &amp; `code`");
  });
});

describe("gate summary formats", () => {
  it("renders JSON as the document itself and names the --out files", () => {
    expect(JSON.parse(GATE_SUMMARY_FORMATS.json.render(report))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    expect(gateSummaryFileName("html")).toBe("gate-summary.html");
    expect(gateSummaryFileName("md")).toBe("gate-summary.md");
  });
});

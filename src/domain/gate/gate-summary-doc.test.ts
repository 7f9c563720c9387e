import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeGateRuns } from "./gate-summary.js";
import { storedRun } from "./gate-summary.test-support.js";
import { type StoredGateRun, summaryRunFromRecord } from "./gate-summary-input.js";
import { renderGateSummaryMarkdown } from "./gate-summary-markdown.js";

const DOC = resolve(import.meta.dirname, "../../../docs/gates.md");

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A fixture run with an id and evidence hash shaped like real ones. */
function realistic(run: StoredGateRun): StoredGateRun {
  const stamp = run.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const id = `gate-${stamp}-${sha256(run.id).slice(0, 6)}`;
  return { ...run, id, doc: { ...run.doc, id, evidenceHash: sha256(id) } };
}

/** The runs behind the example in docs/gates.md: six release runs and two host runs. */
function exampleReport() {
  const ok = (name: string) => ({ name, status: "pass" });
  const refused = {
    name: "http",
    status: "fail",
    diagnostics: [
      "GET http://127.0.0.1:3000/version: connection refused",
      "is the service running and listening there? `shipsafe health` probes it",
    ],
  };
  const release = (n: number, failing?: { name: string; status: string; diagnostics?: string[] }) =>
    storedRun("release", n, [
      ok("build"),
      failing?.name === "tests" ? failing : ok("tests"),
      failing?.name === "http" ? failing : ok("http"),
    ]);
  const runs = [
    // minutes after 2026-11-01T00:00Z
    release(62, {
      name: "tests",
      status: "fail",
      diagnostics: ["`npm test` exited 1 (expected 0)"],
    }),
    release(251, refused),
    release(433),
    release(617, refused),
    release(795),
    release(1004),
    storedRun("host", 300, [
      { name: "disk-space", status: "fail", diagnostics: ["1.2 GiB free, 2.0 GiB needed"] },
    ]),
    storedRun("host", 1020, [ok("disk-space")]),
  ].reverse();
  return summarizeGateRuns(runs.map(realistic).map(summaryRunFromRecord), {
    service: "orders",
    env: "production",
    limit: 20,
    generatedAt: "2026-11-01T17:30:00.000Z",
  });
}

describe("docs/gates.md", () => {
  it("shows the Markdown gate summary exactly as shipsafe renders it", async () => {
    const doc = await readFile(DOC, "utf8");
    const rendered = renderGateSummaryMarkdown(exampleReport());
    const block = doc.match(/<!-- gate-summary-example -->\n```markdown\n([\s\S]*?)```/)?.[1];
    // The docs' formatter pads table columns; the content must be the same cell for cell.
    expect(block && tablesUnpadded(block), "the example block in docs/gates.md").toBe(
      tablesUnpadded(rendered),
    );
  });
});

/** Markdown with table rows' cell padding removed (separator cells reduced to `---`/`---:`). */
function tablesUnpadded(markdown: string): string {
  return markdown
    .split("\n")
    .map((line) => {
      if (!line.startsWith("|")) return line;
      const cells = line
        .slice(1, -1)
        .split(" | ")
        .map((cell) => cell.trim())
        .map((cell) => (/^-+:?$/.test(cell) ? (cell.endsWith(":") ? "---:" : "---") : cell));
      return `| ${cells.join(" | ")} |`;
    })
    .join("\n");
}

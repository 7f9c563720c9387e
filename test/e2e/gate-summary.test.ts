import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.js";
import { type CliRun, shipsafe, tempDir } from "../helpers/shipsafe-cli.js";

const SECRET = "summary-secret-7f3a91";
const NODE = JSON.stringify(process.execPath);
/** A check that prints the token and exits with the code written in `file`. */
const flaky = (name: string, file: string): string =>
  `          - type: command
            name: ${name}
            command: [${NODE}, -e, "console.log('token ' + process.env.TOKEN); process.exit(Number(require('fs').readFileSync('${file}', 'utf8')))"]
            env: { TOKEN: "\${TOKEN}" }
`;

const CONFIG = `version: 1
service: summary-demo
environments:
  staging:
    target: { kind: local, root: ./deploy, start: [${NODE}, -e, "0"] }
    gates:
      release:
        checks:
          - { type: command, name: build, command: [${NODE}, -e, "0"] }
${flaky("tests", "tests.code")}${flaky("lint", "lint.code")}      smoke:
        checks:
${flaky("ping", "ping.code")}`;

// Release runs 1-30 (1-based) that fail, and which check fails them:
//   tests fails in runs 3, 7, 8 and 20; lint in 7, 15 and 27.
const TESTS_FAIL = new Set([3, 7, 8, 20]);
const LINT_FAIL = new Set([7, 15, 27]);
const SEQUENCE = "PPFPPPFFPP" + "PPPPFPPPPF" + "PPPPPPFPPP";

interface GateDoc {
  gate: string;
  runs: number;
  passed: number;
  failed: number;
  passRate: number;
  trend: Record<string, unknown>;
  streak: { passed: boolean; runs: number };
  failingChecks: { name: string; total: number; failed: number; runs: number }[];
  lastFailure: {
    id: string;
    evidenceHash: string;
    checks: { name: string; diagnostics: string[] }[];
  };
  history: { id: string; evidenceHash: string; passed: boolean }[];
}

describe("shipsafe gate summary (built CLI, 30 recorded release runs)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const runs: CliRun[] = [];
  // The config reads ${TOKEN}, so every command needs the env file, as for a user.
  const run = async (args: string[]): Promise<CliRun> => {
    const r = await shipsafe(["--env-file", ".env.summary", ...args], { cwd: dir });
    runs.push(r);
    return r;
  };
  const summary = async (args: string[]) => {
    const r = await run(["--json", "gate", "summary", ...args]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return JSON.parse(r.stdout) as { env: string; limit: number; gates: GateDoc[]; file?: string };
  };
  /** The release runs' ids and evidence hashes, oldest first, as `gate --json` printed them. */
  const recorded: { id: string; evidenceHash: string; passed: boolean }[] = [];

  const gate = async (name: string, codes: Record<string, number>) => {
    for (const [file, code] of Object.entries(codes)) await writeFile(join(dir, file), `${code}`);
    const r = await run(["--json", "gate", name]);
    const doc = JSON.parse(r.stdout);
    expect(r.code, r.stderr).toBe(doc.passed ? 0 : 1);
    return doc as { id: string; evidenceHash: string; passed: boolean };
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("shipsafe-summary-"));
    await writeFile(join(dir, "shipsafe.yaml"), CONFIG);
    await writeFile(join(dir, ".env.summary"), `TOKEN=${SECRET}\n`);
    for (let i = 1; i <= 30; i++) {
      const codes = {
        "tests.code": TESTS_FAIL.has(i) ? 1 : 0,
        "lint.code": LINT_FAIL.has(i) ? 3 : 0,
      };
      recorded.push(await gate("release", codes));
      // The smoke gate: passes after release run 10, fails after run 20.
      if (i === 10 || i === 20) await gate("smoke", { "ping.code": i === 10 ? 0 : 1 });
    }
    expect(recorded.map((r) => (r.passed ? "P" : "F")).join("")).toBe(SEQUENCE);
  }, 240_000);

  afterAll(async () => {
    await cleanup();
  });

  it("--format json over all 30 runs: the numbers of a hand count", async () => {
    const doc = await summary(["--limit", "30", "--format", "json"]);
    expect(doc).toMatchObject({ format: "shipsafe-gate-summary/1", env: "staging", limit: 30 });
    expect(doc.gates.map((g) => g.gate)).toEqual(["release", "smoke"]);
    const release = doc.gates[0] as GateDoc;
    // 6 failed runs: 3, 7, 8, 15, 20, 27 → 24 of 30 passed.
    expect(release).toMatchObject({ runs: 30, passed: 24, failed: 6, passRate: 0.8 });
    expect(release.trend).toEqual({
      older: { runs: 15, passed: 11, failed: 4, passRate: 0.7333 }, // 1-15: 3, 7, 8, 15 failed
      newer: { runs: 15, passed: 13, failed: 2, passRate: 0.8667 }, // 16-30: 20, 27 failed
      change: 0.1333, // 13/15 − 11/15
      direction: "improving",
      sequence: SEQUENCE,
    });
    expect(release.streak).toEqual({ passed: true, runs: 3 }); // 28, 29, 30
    expect(release.failingChecks.map((c) => [c.name, c.failed, c.total, c.runs])).toEqual([
      ["tests", 4, 4, 30],
      ["lint", 3, 3, 30],
    ]);
    // The last failure is run 27, failed by lint alone, with its diagnostics (secret masked).
    expect(release.lastFailure.id).toBe(recorded[26]?.id);
    expect(release.lastFailure.evidenceHash).toBe(recorded[26]?.evidenceHash);
    expect(release.lastFailure.checks.map((c) => c.name)).toEqual(["lint"]);
    const diagnostics = release.lastFailure.checks[0]?.diagnostics.join("\n") ?? "";
    expect(diagnostics).toMatch(/exited 3 \(expected 0\)/);
    expect(diagnostics).toContain("token ***");
    // Every run links its evidence document by hash; the documents exist.
    expect(release.history.map((h) => [h.id, h.evidenceHash])).toEqual(
      recorded.map((r) => [r.id, r.evidenceHash]),
    );
    const last = recorded[29]?.evidenceHash ?? "";
    const evidence = JSON.parse(
      await readFile(join(dir, ".shipsafe", "evidence", last.slice(0, 2), `${last}.json`), "utf8"),
    );
    expect(evidence.run.id).toBe(recorded[29]?.id);

    const smoke = doc.gates[1] as GateDoc;
    expect(smoke).toMatchObject({ runs: 2, passed: 1, passRate: 0.5 });
    expect(smoke.trend).toMatchObject({ change: -1, direction: "worsening", sequence: "PF" });
  });

  it("the default --limit is 20: runs 11-30", async () => {
    const doc = await summary([]);
    const release = doc.gates[0] as GateDoc;
    expect(release).toMatchObject({ runs: 20, passed: 17, failed: 3, passRate: 0.85 });
    expect(release.trend).toMatchObject({
      older: { runs: 10, passed: 8, passRate: 0.8 },
      newer: { runs: 10, passed: 9, passRate: 0.9 },
      change: 0.1,
      sequence: SEQUENCE.slice(10),
    });
    expect(release.failingChecks.map((c) => [c.name, c.total])).toEqual([
      ["lint", 2],
      ["tests", 1],
    ]);
  });

  it("prints Markdown by default and writes gate-summary.md under --out", async () => {
    const md = await run(["gate", "summary", "--limit", "30"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Gate summary: summary-demo \(staging\)/);
    expect(md.stdout).toContain("| release | 30 | 24 | 6 | 80% | 73.3% → 86.7%, improving |");
    const out = await run(["gate", "summary", "--format", "md", "--out", "reports/nested"]);
    const file = join(dir, "reports", "nested", "gate-summary.md");
    expect(out.stdout).toContain(`wrote ${file}`);
    expect(await readFile(file, "utf8")).toContain("| release | 20 | 17 | 3 | 85% |");
  });

  it("refuses a bad --format or --limit, and a gate named summary in the config (exit 2)", async () => {
    const format = await run(["gate", "summary", "--format", "pdf"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(
      /error\[USAGE\]: --format must be one of json, md, html, got "pdf"/,
    );
    const limit = await run(["gate", "summary", "--limit", "0"]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--limit must be a positive integer/);

    const reserved = CONFIG.replace("      smoke:", "      summary:");
    await writeFile(join(dir, "reserved.yaml"), reserved);
    const check = await run(["--config", "reserved.yaml", "config", "check"]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/gates.*summary/);
    expect(check.stderr).toMatch(/reserved/);
  });

  it("renders the HTML in headless Chromium: one mark per run in the chart, tables visible", async (ctx) => {
    const written = await summary(["--limit", "30", "--format", "html", "--out", "html"]);
    const file = join(dir, "html", "gate-summary.html");
    expect(written.file).toBe(file);
    const chromium = await launchChromium();
    if (chromium === undefined) return ctx.skip();
    try {
      const page = await chromium.context.newPage();
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      await page.goto(`file://${file}`);
      await page.screenshot({ path: join(dir, "gate-summary.png"), fullPage: true });
      expect(requests).toEqual([`file://${file}`]); // nothing else was fetched

      const release = page.locator('section[data-gate="release"]');
      const chart = release.locator("svg.run-chart");
      await expect.poll(() => chart.isVisible()).toBe(true);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(50);
      expect(await chart.locator("rect.run-mark").count()).toBe(30);
      expect(await chart.locator("rect.run-mark.pass").count()).toBe(24);
      expect(await chart.locator("rect.run-mark.fail").count()).toBe(6);
      // Each mark is drawn (non-zero size); passes above the line, failures below it.
      const marks = await chart.locator("rect.run-mark").evaluateAll((rects) =>
        rects.map((r) => {
          const b = r.getBoundingClientRect();
          return { pass: r.classList.contains("pass"), width: b.width, height: b.height, y: b.y };
        }),
      );
      expect(marks.every((m) => m.width > 0 && m.height > 0)).toBe(true);
      const passY = Math.max(...marks.filter((m) => m.pass).map((m) => m.y));
      const failY = Math.min(...marks.filter((m) => !m.pass).map((m) => m.y));
      expect(passY).toBeLessThan(failY);
      expect(marks.map((m) => (m.pass ? "P" : "F")).join("")).toBe(SEQUENCE);

      const table = release.locator("table.gate-table");
      expect(await table.isVisible()).toBe(true);
      expect((await table.boundingBox())?.height).toBeGreaterThan(20);
      expect(await table.locator("td").allTextContents()).toEqual(
        expect.arrayContaining(["30", "24", "6", "80%"]),
      );
      const smoke = page.locator('section[data-gate="smoke"] svg.run-chart rect.run-mark');
      expect(await smoke.count()).toBe(2);
      expect(await page.locator("table.gate-table").count()).toBe(2);
    } finally {
      await chromium.close();
    }
  });

  it("never shows the env-file secret: stored runs are redacted, and so is every summary", async () => {
    const stateDir = join(dir, ".shipsafe");
    const files = (await readdir(stateDir, { recursive: true, withFileTypes: true })).filter((e) =>
      e.isFile(),
    );
    expect(files.length).toBeGreaterThan(30);
    for (const entry of files) {
      const bytes = await readFile(join(entry.parentPath, entry.name));
      expect(bytes.includes(Buffer.from(SECRET)), entry.name).toBe(false);
    }
    for (const r of runs) {
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
    }
    for (const file of ["html/gate-summary.html", "reports/nested/gate-summary.md"]) {
      const text = await readFile(join(dir, file), "utf8");
      expect(text).not.toContain(SECRET);
      expect(text).toMatch(/token (\*\*\*|\\\*\\\*\\\*)/);
    }
  });
});

import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLoad, startLoad } from "../../examples/demo-app/load.mjs";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { stopDeployedService } from "../helpers/demo-app.js";
import { shipsafe } from "../helpers/shipsafe-cli.js";

/**
 * `shipsafe baseline capture | compare` and `shipsafe watch --json` driven as a user would: the
 * built CLI against the demo app on loopback under steady load, its /metrics scraped directly,
 * then a 40% error injection (POST /admin/faults) that watch must judge failed, naming the metric.
 */
describe("baseline and watch (built CLI, the demo app on loopback)", () => {
  let ws: DemoWorkspace;
  let load: RunningLoad | undefined;
  const run = (...args: string[]) => shipsafe(args, { cwd: ws.dir });
  const json = async (...args: string[]) => {
    const r = await run("--json", ...args);
    return { ...r, doc: r.stdout.trim() ? JSON.parse(r.stdout) : null };
  };

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    expect(
      (await run("release", "add", "1.0.0", "--from", ws.sources["1.0.0"] as string)).code,
    ).toBe(0);
    const deployed = await run("deploy", "1.0.0", "--observe", "1s", "--baseline", "1s");
    expect(deployed.code, deployed.stderr).toBe(0);
    load = startLoad({ baseUrl: ws.baseUrl, rps: 60 });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await stopDeployedService(ws.dir, ws.baseUrl);
    await rm(ws.dir, { recursive: true, force: true });
  });

  it("captures a baseline of every metric and compares the current traffic with it", async () => {
    const captured = await json("baseline", "capture", "--window", "6s", "--interval", "1s");
    expect(captured.code, captured.stderr).toBe(0);
    expect(captured.doc.id).toMatch(/\S/);
    const compared = await json("baseline", "compare", "--window", "5s", "--interval", "1s");
    expect(compared.code, compared.stderr).toBe(0);
    expect(JSON.stringify(compared.doc)).toContain("errorRate");
    expect(JSON.stringify(compared.doc)).toContain(captured.doc.id);
  }, 60_000);

  it("watch --json prints one line per interval and fails on injected errors, naming the metric", async () => {
    const faults = await fetch(`${ws.baseUrl}/admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 0.4 }),
    });
    expect(faults.status).toBe(200);
    const watched = await run("--json", "watch", "--window", "20s", "--interval", "1s");
    await fetch(`${ws.baseUrl}/admin/faults`, { method: "DELETE" });
    const lines = watched.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; index?: number; verdict: Verdict });
    const intervals = lines.filter((l) => l.type === "interval");
    expect(intervals.length).toBeGreaterThanOrEqual(3);
    expect(intervals.map((l) => l.index)).toEqual(
      intervals.map((_, i) => (intervals[0]?.index ?? 0) + i),
    );
    const result = lines.at(-1) as { type: string; verdict: Verdict };
    expect(result.type).toBe("result");
    expect(result.verdict.status).toBe("failed");
    expect(result.verdict.reasons.join(" ")).toMatch(/error rate \d+\.\d% vs baseline \d+\.\d%/);
    // A failed verdict ends watch early with exit 1 (no auto-rollback asked: nothing rolled back).
    expect(watched.code).toBe(1);
  }, 60_000);
});

interface Verdict {
  readonly status: string;
  readonly reasons: readonly string[];
}

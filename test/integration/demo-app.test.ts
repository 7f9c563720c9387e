import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoad } from "../../examples/demo-app/load.mjs";
import { createScrapeMetricsSource } from "../../src/adapters/metrics/scrape/scrape-metrics-source.js";
import { judge } from "../../src/domain/observation/judge.js";
import { windowSummary } from "../../src/domain/observation/window-summary.js";
import { type DemoProcess, startDemoRelease } from "../helpers/demo-app.js";

/**
 * The observation path end to end against real processes: the demo app's releases on loopback,
 * steady load from load.mjs, /metrics scraped by the scrape adapter, judged by the domain.
 */
describe("observing the demo app", () => {
  let dir: string;
  const running: DemoProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipsafe-demo-"));
  });

  afterAll(async () => {
    await Promise.all(running.map((demo) => demo.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it("judges 1.0.0 healthy against itself and 2.0.0 failed against 1.0.0's baseline", async () => {
    const db = join(dir, "orders.db");
    const v1 = await startDemoRelease("1.0.0", db);
    running.push(v1);
    const metrics1 = createScrapeMetricsSource({ url: `${v1.url}/metrics`, timeoutMs: 2_000 });
    const load1 = startLoad({ baseUrl: v1.url, rps: 80 });
    await sleep(200);
    const s0 = await metrics1.sample();
    await sleep(1_500);
    const s1 = await metrics1.sample();
    await sleep(1_500);
    const s2 = await metrics1.sample();
    const totals1 = await load1.stop();
    expect(totals1.failed).toBe(0);

    const steady = judge(windowSummary(s0, s1), windowSummary(s1, s2), { consecutiveFailures: 0 });
    console.info("1.0.0 vs itself:", steady.status, steady.reasons);
    expect(steady.status).toBe("healthy");

    expect(await v1.stop()).toBe(0);
    running.pop();

    const v2 = await startDemoRelease("2.0.0", db);
    running.push(v2);
    const metrics2 = createScrapeMetricsSource({ url: `${v2.url}/metrics`, timeoutMs: 2_000 });
    const load2 = startLoad({ baseUrl: v2.url, rps: 80 });
    await sleep(200);
    const t0 = await metrics2.sample();
    await sleep(2_000);
    const t1 = await metrics2.sample();
    const totals2 = await load2.stop();

    const baseline = windowSummary(s0, s2);
    const current = windowSummary(t0, t1);
    const verdict = judge(baseline, current, { consecutiveFailures: 0 });
    console.info("2.0.0 vs 1.0.0:", verdict.status, verdict.severity, verdict.reasons, totals2);
    expect(verdict.status).toBe("failed");
    expect(verdict.severity).toMatch(/^SEV-[23]$/);
    const outcomes = Object.fromEntries(verdict.rules.map((rule) => [rule.rule, rule.outcome]));
    expect(outcomes).toEqual({
      readiness: "pass",
      "error-rate": "failed",
      "p95-latency": "failed",
    });
    expect(current.errorRate as number).toBeGreaterThan(0.08);
    expect(totals2.failed).toBeGreaterThan(0);
  });
});

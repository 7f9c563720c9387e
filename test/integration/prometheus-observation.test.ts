import { cp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoad } from "../../examples/demo-app/load.mjs";
import { loadConfigFile } from "../../src/adapters/config-file/load-config-file.js";
import { createPrometheusMetricsSource } from "../../src/adapters/metrics/prometheus/prometheus-metrics-source.js";
import { deploy } from "../../src/app/deploy/deploy.js";
import type { EnvironmentPorts } from "../../src/app/environment.js";
import { captureBaseline, saveBaseline } from "../../src/app/observation/capture-baseline.js";
import { watch } from "../../src/app/observation/watch.js";
import { openEnvironment } from "../../src/composition/environment.js";
import { openServices, type Services } from "../../src/composition/services.js";
import { createDemoWorkspace, type DemoWorkspace } from "../../src/demo/demo-workspace.js";
import { ShipsafeError } from "../../src/domain/errors.js";
import { DEFAULT_METRIC_DEFINITIONS } from "../../src/domain/observation/metric-definition.js";
import { observationSetup } from "../../src/domain/observation/observation-setup.js";
import { silentProgress } from "../../src/ports/progress.js";
import { type PrometheusServer, startPrometheus } from "../helpers/prometheus.js";

const identity = { redactText: (t: string) => t, redactJson: <T>(v: T): T => v };

/**
 * Issue 7's check with a real Prometheus server (Debian's package, started here on loopback with
 * its own config and storage, scraping the demo app every second): a baseline from Prometheus'
 * history, then a 20% error injection (POST /admin/faults) while `watch --auto-rollback` runs
 * leads to a failed verdict naming the metric, baseline and current values, and a rollback.
 */
describe("observation through a real Prometheus server", () => {
  let ws: DemoWorkspace;
  let prom: PrometheusServer | undefined;
  let services: Services;
  let ports: EnvironmentPorts;

  beforeAll(async () => {
    ws = await createDemoWorkspace();
    prom = await startPrometheus({
      targets: [`127.0.0.1:${ws.port}`],
      job: "demo",
      scrapeIntervalS: 1,
    });
    if (!prom) return;
    // 1.1.0: the healthy 1.0.0 under another version, so the fault is the only difference.
    await cp(ws.sources["1.0.0"] as string, join(ws.dir, "src", "1.1.0"), { recursive: true });
    const config = await readFile(ws.configFile, "utf8");
    await writeFile(
      ws.configFile,
      config.replace(
        / {4}metrics: .*\n/,
        `    metrics:\n      source: prometheus\n      url: ${prom.url}\n      selector: 'job="demo"'\n      rateWindow: 3s\n      interval: 1s\n`,
      ),
    );
    const loaded = await loadConfigFile(ws.configFile, {}, process.env);
    services = await openServices(join(ws.dir, ".shipsafe"), identity, { command: "test" });
    ports = await openEnvironment(services, loaded, "demo", {
      actor: "tester",
      progress: silentProgress,
    });
    for (const version of ["1.0.0", "1.1.0"]) {
      await ports.target.addRelease(version, join(ws.dir, "src", version));
    }
  });

  afterAll(async () => {
    await ports?.target.stop().catch(() => undefined);
    await services?.seal().catch(() => undefined);
    await services?.close();
    await prom?.stop();
    await rm(ws.dir, { recursive: true, force: true });
  });

  it("says clearly when the server does not answer or refuses a query", async (ctx) => {
    if (!prom) return ctx.skip();
    const down = createPrometheusMetricsSource({
      url: "http://127.0.0.1:9",
      timeoutMs: 1_000,
      selector: "",
      rateWindowMs: 3_000,
    });
    const error = await down.start(DEFAULT_METRIC_DEFINITIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShipsafeError);
    expect((error as ShipsafeError).code).toBe("METRICS_UNREACHABLE");
    const source = createPrometheusMetricsSource({
      url: prom.url,
      timeoutMs: 5_000,
      selector: "",
      rateWindowMs: 3_000,
    });
    const bad = await source
      .start([
        {
          name: "broken",
          kind: "custom",
          query: "sum(rate(x[",
          direction: "higher-is-worse",
          thresholds: { absolute: 1 },
          unit: "number",
          statisticalTest: true,
        },
      ])
      .catch((e: unknown) => e);
    expect((bad as ShipsafeError).code).toBe("METRICS_QUERY_FAILED");
    expect((bad as ShipsafeError).message).toMatch(/bad_data/);
  });

  it("a 20% error injection fails the verdict with the numbers and rolls back automatically", async (ctx) => {
    if (!prom) return ctx.skip();
    const loaded = await loadConfigFile(ws.configFile, {}, process.env);
    const setup = observationSetup(loaded.config.environments.demo?.metrics);
    for (const version of ["1.0.0", "1.1.0"]) {
      const result = await deploy(ports, {
        version,
        baselineMs: 0,
        observeMs: 500,
        intervalMs: 250,
        autoRollback: false,
        rollbackTimeoutMs: 60_000,
        observation: setup,
      });
      expect(result.readyAfterMs, JSON.stringify(result.timeline)).not.toBeNull();
    }
    const load = startLoad({ baseUrl: ws.baseUrl, rps: 60 });
    try {
      // Let Prometheus hold a few seconds of 1.1.0's healthy traffic (3 s rate window + 5 s).
      await sleep(9_000);
      const baseline = await captureBaseline(ports, { windowMs: 5_000, intervalMs: 1_000, setup });
      await saveBaseline(ports, baseline);
      expect(baseline.method).toBe("history");
      const errorStats = baseline.metrics.find((m) => m.name === "errorRate")?.stats;
      expect(errorStats?.n).toBeGreaterThanOrEqual(4);
      expect(errorStats?.reference).toBe(0);

      const res = await fetch(`${ws.baseUrl}/admin/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ errorRate: 0.2 }),
      });
      expect(res.status).toBe(200);
      const result = await watch(ports, {
        setup,
        windowMs: 60_000,
        intervalMs: 1_000,
        autoRollback: true,
        rollbackTimeoutMs: 60_000,
      });
      const v = result.verdict;
      console.info("verdict via Prometheus:", v.status, v.severity, v.reasons[0]);
      expect(v.status, JSON.stringify(v.reasons)).toBe("failed");
      expect(v.severity).toMatch(/^SEV-[23]$/);
      const errorRate = v.results?.find((r) => r.metric === "errorRate");
      expect(errorRate).toMatchObject({ outcome: "failed", baseline: 0 });
      expect(errorRate?.current as number).toBeGreaterThan(0.05);
      expect(v.reasons[0]).toMatch(
        /^error rate \d+\.\d% vs baseline 0\.0% \(\+\d+\.\d points > \+5\.0 points\)/,
      );
      expect(result.rollback?.status).toBe("succeeded");
      expect((await readlink(join(ws.dir, "deploy", "current"))).replace(/^releases\//, "")).toBe(
        "1.0.0",
      );
      const kinds = (await services.store.ledger.tail(6)).map((e) => e.kind);
      expect(kinds).toContain("baseline.captured");
      expect(kinds).toContain("watch.finished");
      expect(kinds.at(-1)).toBe("rollback.finished");
    } finally {
      await load.stop();
    }
  }, 120_000);
});

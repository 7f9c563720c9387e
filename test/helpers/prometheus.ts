import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../src/demo/demo-workspace.js";

/** Debian's Prometheus server, installed by scripts/install-system-packages.sh. */
export const PROMETHEUS = "/usr/bin/prometheus";

export interface PrometheusServer {
  /** http://127.0.0.1:<port> — the HTTP API is under /api/v1. */
  readonly url: string;
  readonly output: () => string;
  /** SIGTERM, wait for the exit, remove the config and storage. */
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on a random loopback port with its own config and temp storage,
 * scraping `targets` (host:port, path /metrics) every `scrapeIntervalS` seconds as job `job`, and
 * waits until /-/ready answers. Returns undefined when Prometheus is not installed (the test
 * skips) — except under CI=true, where a missing server is a failure.
 */
export async function startPrometheus(options: {
  readonly targets: readonly string[];
  readonly job: string;
  readonly scrapeIntervalS?: number;
}): Promise<PrometheusServer | undefined> {
  if (!existsSync(PROMETHEUS)) {
    if (process.env.CI === "true") {
      throw new Error(
        `${PROMETHEUS} not found: run sh scripts/install-system-packages.sh (installs Debian's prometheus)`,
      );
    }
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), "shipsafe-prometheus-"));
  const interval = `${options.scrapeIntervalS ?? 1}s`;
  const config = join(dir, "prometheus.yml");
  await writeFile(
    config,
    [
      "global:",
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      "scrape_configs:",
      `  - job_name: ${JSON.stringify(options.job)}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      "    static_configs:",
      `      - targets: ${JSON.stringify(options.targets)}`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    const status = await fetch(`${url}/-/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { url, output: () => output, stop };
    const code = await Promise.race([exited, sleep(100, "running" as const)]);
    if (code !== "running" || attempt > 300) {
      await stop();
      throw new Error(`prometheus did not become ready (exit ${String(code)}): ${output}`);
    }
  }
}

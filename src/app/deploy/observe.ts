import { judge } from "../../domain/observation/judge.js";
import type { Thresholds } from "../../domain/observation/thresholds.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import { type WindowSummary, windowSummary } from "../../domain/observation/window-summary.js";
import type { MetricsSample } from "../../ports/metrics-source.js";
import type { EnvironmentPorts } from "../environment.js";

export interface Observation {
  readonly verdict: Verdict;
  /** When the verdict was reached, relative to the start of observation. */
  readonly decidedAfterMs: number;
  readonly ticks: number;
  /** True when a failed verdict ended the window early. */
  readonly stoppedEarly: boolean;
}

/** An empty window: the baseline when nothing ran before (first deploy) or metrics were unreadable. */
export function emptyWindow(at: number): WindowSummary {
  return {
    from: at,
    to: at,
    durationMs: 0,
    requests: 0,
    errors: 0,
    errorRate: 0,
    p95Ms: null,
    throughputRps: 0,
    counterReset: false,
  };
}

/** Summarizes the service's traffic over `windowMs` (the "ops summary" taken before a change). */
export async function captureBaseline(
  ports: Pick<EnvironmentPorts, "metrics" | "sleep">,
  windowMs: number,
): Promise<WindowSummary | null> {
  if (!ports.metrics) return null;
  try {
    const first = await ports.metrics.sample();
    await ports.sleep(windowMs);
    return windowSummary(first, await ports.metrics.sample());
  } catch {
    return null;
  }
}

/**
 * Watches readiness and metrics for `windowMs` after a change, judging the window so far against the
 * baseline at every tick; a failed verdict ends the watch at once.
 */
export async function observe(
  ports: Pick<EnvironmentPorts, "metrics" | "health" | "clock" | "sleep" | "progress">,
  options: {
    baseline: WindowSummary;
    windowMs: number;
    intervalMs: number;
    thresholds: Thresholds;
    /** Ctrl-C: end the watch early with the verdict so far. */
    signal?: AbortSignal | undefined;
  },
): Promise<Observation> {
  const started = ports.clock.now().getTime();
  let first: MetricsSample | undefined = await trySample(ports);
  let consecutiveFailures = 0;
  let ticks = 0;
  let verdict = judge(
    options.baseline,
    options.baseline,
    { consecutiveFailures: 0 },
    options.thresholds,
  );
  for (;;) {
    await ports.sleep(options.intervalMs);
    ticks += 1;
    const probes = await ports.health.probe();
    const ready = probes.filter((p) => p.name === "ready");
    consecutiveFailures =
      ready.length > 0 && ready.some((p) => !p.ok) ? consecutiveFailures + 1 : 0;
    const sample = await trySample(ports);
    if (!first) first = sample;
    const current =
      first && sample ? windowSummary(first, sample) : emptyWindow(ports.clock.now().getTime());
    verdict = judge(options.baseline, current, { consecutiveFailures }, options.thresholds);
    const elapsed = ports.clock.now().getTime() - started;
    ports.progress.report({
      type: "note",
      message: `observing ${Math.round(elapsed / 1000)}s/${Math.round(options.windowMs / 1000)}s: ${describeWindow(current)} → ${verdict.status}${verdict.severity ? ` ${verdict.severity}` : ""}`,
    });
    if (verdict.status === "failed") {
      return { verdict, decidedAfterMs: elapsed, ticks, stoppedEarly: elapsed < options.windowMs };
    }
    if (elapsed >= options.windowMs || options.signal?.aborted) {
      return { verdict, decidedAfterMs: elapsed, ticks, stoppedEarly: elapsed < options.windowMs };
    }
  }
}

async function trySample(
  ports: Pick<EnvironmentPorts, "metrics">,
): Promise<MetricsSample | undefined> {
  if (!ports.metrics) return undefined;
  try {
    return await ports.metrics.sample();
  } catch {
    // The service may be restarting; the readiness rule covers an outage.
    return undefined;
  }
}

export function describeWindow(w: WindowSummary): string {
  const rate = w.errorRate === null ? "-" : `${(w.errorRate * 100).toFixed(1)}%`;
  const p95 = w.p95Ms === null ? "-" : `${w.p95Ms.toFixed(0)}ms`;
  return `${w.requests} req, errors ${rate}, p95 ${p95}`;
}

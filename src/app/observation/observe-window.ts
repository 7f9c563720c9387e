import {
  type AnalysisState,
  analyzeWindow,
  initialAnalysisState,
} from "../../domain/observation/analyze-window.js";
import {
  appendMeasurement,
  type IntervalMeasurement,
  type MetricSeries,
} from "../../domain/observation/metric-series.js";
import type { ObservationSetup } from "../../domain/observation/observation-setup.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import type { EnvironmentPorts } from "../environment.js";
import { openMeter } from "./meter.js";

/** One interval of a watch: what `watch` draws and prints as a JSON line. */
export interface ObservationTick {
  readonly index: number;
  /** Milliseconds since observation started, and until the window ends. */
  readonly elapsedMs: number;
  readonly remainingMs: number;
  readonly measured: IntervalMeasurement;
  readonly verdict: Verdict;
}

export interface Observation {
  readonly verdict: Verdict;
  /** When the verdict was reached, relative to the start of observation. */
  readonly decidedAfterMs: number;
  readonly ticks: number;
  /** True when a failed verdict (or Ctrl-C) ended the window early. */
  readonly stoppedEarly: boolean;
  readonly current: MetricSeries;
}

export type ObservePorts = Pick<EnvironmentPorts, "metrics" | "health" | "clock" | "sleep">;

/**
 * Measures every `intervalMs` for `windowMs` and runs the analysis after each interval against the
 * baseline; a failed verdict ends the window at once (so does the signal, with the verdict so far).
 */
export async function observeWindow(
  ports: ObservePorts,
  options: {
    readonly baseline: MetricSeries;
    readonly setup: ObservationSetup;
    readonly windowMs: number;
    readonly intervalMs: number;
    readonly signal?: AbortSignal | undefined;
    readonly onTick?: ((tick: ObservationTick) => void) | undefined;
  },
): Promise<Observation> {
  const started = ports.clock.now().getTime();
  const meter = await openMeter(ports, options.setup.definitions);
  let state: AnalysisState = initialAnalysisState(started);
  let current: MetricSeries = {};
  let verdict: Verdict = analyzeWindow(
    options.setup.definitions,
    options.baseline,
    current,
    state,
    options.setup.analysis,
  ).verdict;
  let ticks = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    await ports.sleep(options.intervalMs);
    const measured = await meter.next();
    current = appendMeasurement(current, measured);
    ({ verdict, state } = analyzeWindow(
      options.setup.definitions,
      options.baseline,
      current,
      state,
      options.setup.analysis,
    ));
    ticks += 1;
    const elapsedMs = ports.clock.now().getTime() - started;
    options.onTick?.({
      index: ticks,
      elapsedMs,
      remainingMs: Math.max(0, options.windowMs - elapsedMs),
      measured,
      verdict,
    });
    if (verdict.status === "failed" || elapsedMs >= options.windowMs) {
      return {
        verdict,
        decidedAfterMs: elapsedMs,
        ticks,
        stoppedEarly: elapsedMs < options.windowMs,
        current,
      };
    }
  }
  const elapsedMs = ports.clock.now().getTime() - started;
  return { verdict, decidedAfterMs: elapsedMs, ticks, stoppedEarly: true, current };
}

/** `12 req, errors 0.0%, p95 24ms → healthy` — one line per interval for a log. */
export function describeTick(tick: ObservationTick): string {
  const v = tick.verdict;
  const result = (name: string) => v.results?.find((r) => r.metric === name);
  const err = result("errorRate");
  const p95 = result("latencyP95");
  const rate = err?.current == null ? "-" : `${(err.current * 100).toFixed(1)}%`;
  const lat = p95?.current == null ? "-" : `${p95.current.toFixed(0)}ms`;
  const req = err?.traffic ?? 0;
  return `${Math.round(req)} req, errors ${rate}, p95 ${lat} → ${v.status}${v.severity ? ` ${v.severity}` : ""}`;
}

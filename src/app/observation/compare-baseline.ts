import { analyzeWindow, initialAnalysisState } from "../../domain/observation/analyze-window.js";
import { type IntervalMeasurement, toSeries } from "../../domain/observation/metric-series.js";
import type { ObservationSetup } from "../../domain/observation/observation-setup.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import type { EnvironmentPorts } from "../environment.js";
import { type Baseline, baselineSeries } from "./baseline.js";
import { openMeter } from "./meter.js";

export interface BaselineComparison {
  readonly baselineId: string;
  readonly baselineCapturedAt: string;
  readonly baselineVersion: string | null;
  readonly version: string | null;
  /** How "now" was measured: the window just past from history, or sampled live. */
  readonly method: "history" | "sampled";
  readonly windowMs: number;
  readonly intervals: number;
  /** The analysis over those intervals: per metric baseline, now, change, outcome. */
  readonly verdict: Verdict;
}

/**
 * `shipsafe baseline compare`: measures the last `windowMs` (from history when the source keeps
 * it, else by sampling now) and runs the analysis of every interval against the baseline.
 */
export async function compareWithBaseline(
  ports: Pick<EnvironmentPorts, "metrics" | "health" | "clock" | "sleep" | "target">,
  options: {
    readonly baseline: Baseline;
    readonly setup: ObservationSetup;
    readonly windowMs: number;
    readonly intervalMs: number;
  },
): Promise<BaselineComparison> {
  const intervalMs = Math.max(1, Math.min(options.intervalMs, options.windowMs));
  const count = Math.max(1, Math.round(options.windowMs / intervalMs));
  const started = ports.clock.now().getTime();
  let intervals: readonly IntervalMeasurement[] | "unsupported" = "unsupported";
  if (ports.metrics?.history) {
    intervals = await ports.metrics.past(
      options.setup.definitions.filter((d) => d.kind !== "ready"),
      { from: started - count * intervalMs, to: started, stepMs: intervalMs },
    );
    if (intervals !== "unsupported") {
      // Readiness is not in the history: probe it now, for the newest interval.
      const meter = await openMeter(
        { ...ports, metrics: undefined },
        options.setup.definitions.filter((d) => d.kind === "ready"),
      );
      const ready = await meter.next();
      const last = intervals.at(-1);
      if (last)
        intervals = [
          ...intervals.slice(0, -1),
          { ...last, values: { ...last.values, ...ready.values } },
        ];
    }
  }
  const method = intervals === "unsupported" ? "sampled" : "history";
  if (intervals === "unsupported") {
    const meter = await openMeter(ports, options.setup.definitions);
    const sampled: IntervalMeasurement[] = [];
    for (let i = 0; i < count; i++) {
      await ports.sleep(intervalMs);
      sampled.push(await meter.next());
    }
    intervals = sampled;
  }
  const { verdict } = analyzeWindow(
    options.setup.definitions,
    baselineSeries(options.baseline),
    toSeries(intervals),
    initialAnalysisState(intervals[0]?.from ?? started),
    options.setup.analysis,
  );
  return {
    baselineId: options.baseline.id,
    baselineCapturedAt: options.baseline.capturedAt,
    baselineVersion: options.baseline.version,
    version: (await ports.target.current().catch(() => undefined)) ?? null,
    method,
    windowMs: options.windowMs,
    intervals: intervals.length,
    verdict,
  };
}

// Replays one scenario recording through an analyzer exactly as `deploy --observe` runs it:
// shipsafe's baseline capture (captureBaseline, sampled interval by interval) and meter (openMeter)
// read the recording through the scrape adapter, and the analyzer judges after every interval;
// the first failed verdict ends the window, as observeWindow does.
import { baselineSeries } from "../../dist/app/observation/baseline.js";
import { captureBaseline } from "../../dist/app/observation/capture-baseline.js";
import { openMeter } from "../../dist/app/observation/meter.js";
import { DEFAULT_ANALYSIS_OPTIONS } from "../../dist/domain/observation/analysis-options.js";
import {
  analyzeWindow,
  fixedThresholdWindow,
  initialAnalysisState,
} from "../../dist/domain/observation/analyze-window.js";
import { DEFAULT_METRIC_DEFINITIONS } from "../../dist/domain/observation/metric-definition.js";
import { appendMeasurement } from "../../dist/domain/observation/metric-series.js";
import { replayPorts } from "./scrape-recording.mjs";

const seconds = (n) => n * 1_000;

/**
 * The three analyzers. Phases: where the interval grid starts after the change (observation start
 * + phase), so that a fault falls at every position within an interval across the replays.
 */
export const ANALYZERS = [
  {
    id: "shipsafe5s",
    label: "shipsafe analysis, 5 s",
    intervalMs: seconds(5),
    phasesMs: [0, 1, 2, 3, 4].map(seconds),
    definitions: DEFAULT_METRIC_DEFINITIONS,
    options: DEFAULT_ANALYSIS_OPTIONS,
    analyze: analyzeWindow,
  },
  {
    id: "fixed5s",
    label: "fixed threshold, 5 s",
    intervalMs: seconds(5),
    phasesMs: [0, 1, 2, 3, 4].map(seconds),
    definitions: DEFAULT_METRIC_DEFINITIONS,
    options: DEFAULT_ANALYSIS_OPTIONS,
    analyze: fixedThresholdWindow,
  },
  {
    // fixedThresholdWindow pins consecutiveFailures to 1; the 1-minute rule needs 5, so this is
    // the same rule spelled out: thresholds without the rank test, 5 breaching intervals in a row.
    id: "fixed1m",
    label: "fixed threshold, 1 min × 5",
    intervalMs: seconds(60),
    phasesMs: [0, 5, 10, 15, 20].map(seconds),
    definitions: DEFAULT_METRIC_DEFINITIONS.map((d) => ({ ...d, statisticalTest: false })),
    options: { ...DEFAULT_ANALYSIS_OPTIONS, consecutiveFailures: 5 },
    analyze: analyzeWindow,
  },
];

/**
 * One replay: baseline over the whole intervals that fit the baseline period (ending at the
 * change), observation from the change + phase to the end of the recording. `refAt` is what time
 * to verdict is measured from (the fault's start; the change for a scenario without a fault).
 */
export async function replay(recording, analyzer, phaseMs, refAt) {
  const { intervalMs, definitions, options } = analyzer;
  const windowMs = Math.floor(recording.baselineMs / intervalMs) * intervalMs;
  const end = recording.observeFrom + recording.observeMs;
  if (windowMs === 0 || recording.observeFrom + phaseMs + intervalMs > end) {
    return { phaseMs, skipped: "recording shorter than the analyzer's intervals" };
  }
  const ports = replayPorts(recording, recording.observeFrom - windowMs);
  const setup = { definitions, analysis: options, intervalMs };
  const baseline = await captureBaseline(ports, { windowMs, intervalMs, setup });
  const base = baselineSeries(baseline);
  ports.now = recording.observeFrom + phaseMs;
  const meter = await openMeter(ports, definitions);
  let state = initialAnalysisState(ports.now);
  let current = {};
  let verdict = null;
  let intervals = 0;
  let inconclusive = 0;
  let verdictAt = null;
  while (ports.now + intervalMs <= end) {
    await ports.sleep(intervalMs);
    const measured = await meter.next();
    current = appendMeasurement(current, measured);
    ({ verdict, state } = analyzer.analyze(definitions, base, current, state, options));
    intervals += 1;
    if (verdict.status === "inconclusive") inconclusive += 1;
    if (verdict.status === "failed") {
      verdictAt = measured.to;
      break;
    }
  }
  const rolledBack = verdict?.status === "failed";
  return {
    phaseMs,
    baselineIntervals: baseline.intervals.length,
    intervals,
    inconclusive,
    rolledBack,
    finalStatus: verdict?.status ?? null,
    severity: verdict?.severity ?? null,
    verdictAt,
    timeToVerdictMs: rolledBack ? verdictAt - refAt : null,
    beforeFault: rolledBack && recording.faultAt !== null && verdictAt < recording.faultAt,
    reason: rolledBack ? verdict.reasons[0] : null,
  };
}

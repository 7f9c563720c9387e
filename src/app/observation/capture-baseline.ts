import { randomBytes } from "node:crypto";
import { ShipsafeError } from "../../domain/errors.js";
import type { IntervalMeasurement } from "../../domain/observation/metric-series.js";
import type { ObservationSetup } from "../../domain/observation/observation-setup.js";
import type { EnvironmentPorts } from "../environment.js";
import { type Baseline, baselineDocument, summarizeBaseline } from "./baseline.js";
import { openMeter } from "./meter.js";

export type CapturePorts = Pick<
  EnvironmentPorts,
  "env" | "metrics" | "health" | "clock" | "sleep" | "target"
>;

export interface CaptureOptions {
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly setup: ObservationSetup;
  /** Called after each sampled interval (live progress). */
  readonly onInterval?:
    | ((measured: IntervalMeasurement, index: number, of: number) => void)
    | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Captures a baseline of every metric over `windowMs`: from the source's history when it keeps one
 * (Prometheus: a range query of the window just past, at once), otherwise by sampling the service
 * interval by interval for the whole window. Throws METRICS_NOT_CONFIGURED without a source.
 */
export async function captureBaseline(
  ports: CapturePorts,
  options: CaptureOptions,
): Promise<Baseline> {
  if (!ports.metrics) {
    throw new ShipsafeError({
      code: "METRICS_NOT_CONFIGURED",
      kind: "config",
      message: `environment ${ports.env} has no metrics source to take a baseline from`,
      hint: "add metrics: { source: scrape, url: http://<service>/metrics } (docs/config.md#metrics)",
    });
  }
  const intervalMs = Math.max(
    1,
    Math.min(options.intervalMs, options.windowMs || options.intervalMs),
  );
  const count = options.windowMs > 0 ? Math.max(1, Math.round(options.windowMs / intervalMs)) : 0;
  const version = (await ports.target.current().catch(() => undefined)) ?? null;
  const started = ports.clock.now().getTime();
  let intervals: readonly IntervalMeasurement[] = [];
  let method: Baseline["method"] = "sampled";
  if (count > 0 && ports.metrics.history) {
    const past = await ports.metrics.past(
      options.setup.definitions.filter((d) => d.kind !== "ready"),
      { from: started - count * intervalMs, to: started, stepMs: intervalMs },
    );
    if (past !== "unsupported") {
      intervals = past;
      method = "history";
    }
  }
  if (method === "sampled" && count > 0) {
    const meter = await openMeter(ports, options.setup.definitions);
    const sampled: IntervalMeasurement[] = [];
    for (let i = 0; i < count && !options.signal?.aborted; i++) {
      await ports.sleep(intervalMs);
      const measured = await meter.next();
      sampled.push(measured);
      options.onInterval?.(measured, i + 1, count);
    }
    intervals = sampled;
  }
  const now = ports.clock.now();
  return {
    id: `base-${now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`,
    env: ports.env,
    capturedAt: now.toISOString(),
    version,
    source: ports.metrics.kind,
    method,
    from: intervals[0]?.from ?? started,
    to: intervals.at(-1)?.to ?? now.getTime(),
    windowMs: options.windowMs,
    intervalMs,
    metrics: summarizeBaseline(options.setup, intervals),
    intervals,
  };
}

/** Stores a baseline: the record, its evidence document and a `baseline.captured` ledger entry. */
export async function saveBaseline(
  ports: Pick<EnvironmentPorts, "store" | "record">,
  baseline: Baseline,
): Promise<void> {
  await ports.store.baselines.put({
    id: baseline.id,
    env: baseline.env,
    capturedAt: baseline.capturedAt,
    version: baseline.version,
    doc: baselineDocument(baseline),
  });
  await ports.record({
    kind: "baseline.captured",
    subject: baseline.id,
    data: {
      version: baseline.version,
      source: baseline.source,
      method: baseline.method,
      windowMs: baseline.windowMs,
      intervals: baseline.intervals.length,
    },
    evidence: baselineDocument(baseline),
  });
}

/** The baseline with this id, or the environment's newest; BASELINE_NOT_FOUND otherwise. */
export async function loadBaseline(
  ports: Pick<EnvironmentPorts, "store" | "env">,
  id: string | undefined,
): Promise<Baseline> {
  const record = id
    ? await ports.store.baselines.get(id)
    : (await ports.store.baselines.list({ env: ports.env, limit: 1 }))[0];
  if (!record || record.env !== ports.env) {
    throw new ShipsafeError({
      code: "BASELINE_NOT_FOUND",
      kind: "usage",
      message: id
        ? `no baseline ${id} in environment ${ports.env}`
        : `no baseline captured in environment ${ports.env} yet`,
      hint: "capture one before the change: shipsafe baseline capture --window 5m",
    });
  }
  return record.doc as unknown as Baseline;
}

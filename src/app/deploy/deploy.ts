import type { JsonObject } from "../../domain/model/json.js";
import { analyzeWindow, initialAnalysisState } from "../../domain/observation/analyze-window.js";
import {
  DEFAULT_OBSERVATION,
  type ObservationSetup,
  setupFromThresholds,
} from "../../domain/observation/observation-setup.js";
import type { Thresholds } from "../../domain/observation/thresholds.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import type { EnvironmentPorts } from "../environment.js";
import { describeProbes, waitHealthy } from "../health/wait-healthy.js";
import { migrateForDeploy } from "../migrations/migrate-for-deploy.js";
import { type Baseline, baselineSeries } from "../observation/baseline.js";
import { captureBaseline } from "../observation/capture-baseline.js";
import { describeTick, observeWindow } from "../observation/observe-window.js";
import { onFailedVerdict } from "../observation/on-failed-verdict.js";
import { saveReleaseRecord } from "../release/release-records.js";
import { requireRelease } from "../release/require-release.js";
import type { RollbackResult } from "../rollback/rollback.js";

export interface DeployOptions {
  readonly version: string;
  readonly baselineMs: number;
  readonly observeMs: number;
  readonly intervalMs: number;
  readonly autoRollback: boolean;
  readonly rollbackTimeoutMs: number;
  /** Metrics and analysis (the environment's `metrics` block); default: the built-ins. */
  readonly observation?: ObservationSetup | undefined;
  /** The fixed rule's thresholds, mapped onto the analysis when `observation` is not given. */
  readonly thresholds?: Thresholds | undefined;
  /** Ctrl-C: stop observing early; the verdict so far decides. */
  readonly signal?: AbortSignal | undefined;
}

export interface TimelineEvent {
  /** Milliseconds since the deploy started. */
  readonly atMs: number;
  readonly event: string;
}

export interface DeployResult {
  readonly version: string;
  readonly previousVersion: string | null;
  readonly status: "healthy" | "failed" | "inconclusive" | "degraded";
  /** The running release's metrics before the switch (null: nothing ran, or no metrics). */
  readonly baseline: Baseline | null;
  readonly verdict: Verdict;
  /** When the new release was switched in, since the deploy started (after the baseline). */
  readonly activatedAfterMs: number | null;
  /** Time from activation to readiness. */
  readonly readyAfterMs: number | null;
  readonly detectedAfterMs: number | null;
  readonly rollback: RollbackResult | null;
  readonly timeline: readonly TimelineEvent[];
}

/**
 * `shipsafe deploy <version>`: baseline, activate, wait for readiness, observe with the analysis;
 * on a failed verdict, `onFailedVerdict` decides (auto-rollback to the previous release).
 */
export async function deploy(
  ports: EnvironmentPorts,
  options: DeployOptions,
): Promise<DeployResult> {
  const t0 = ports.clock.now().getTime();
  const timeline: TimelineEvent[] = [];
  const mark = (event: string): void => {
    timeline.push({ atMs: ports.clock.now().getTime() - t0, event });
    ports.progress.report({ type: "note", message: event });
  };
  const setup =
    options.observation ??
    (options.thresholds ? setupFromThresholds(options.thresholds) : DEFAULT_OBSERVATION);
  await requireRelease(ports.target, options.version);
  const previousVersion = (await ports.target.current()) ?? null;
  const running = (await ports.target.status()).running;
  // The same capture as `shipsafe baseline capture`, over --baseline at --interval.
  const baseline =
    running && ports.metrics
      ? await captureBaseline(ports, {
          windowMs: options.baselineMs,
          intervalMs: options.intervalMs,
          setup,
        }).catch(() => null)
      : null;
  const requests = baseline?.metrics.find((m) => m.name === "errorRate")?.stats.traffic ?? 0;
  mark(
    baseline && baseline.intervals.length > 0
      ? `baseline captured over ${options.baselineMs}ms: ${baseline.intervals.length} intervals, ${Math.round(requests)} requests`
      : "no baseline (nothing running or no metrics): absolute thresholds apply",
  );

  await ports.record({
    kind: "deploy.started",
    subject: options.version,
    data: { from: previousVersion, to: options.version },
  });
  const migrationsHead = await migrateForDeploy(ports, options.version, previousVersion, mark);
  await ports.target.stop();
  await ports.target.activate(options.version);
  await ports.target.start();
  await saveReleaseRecord(ports, options.version, "active", {
    deployedAt: ports.clock.now().toISOString(),
    previousVersion: previousVersion === options.version ? null : previousVersion,
    ...(migrationsHead === undefined ? {} : { migrationsHead }),
  });
  const activatedAfterMs = ports.clock.now().getTime() - t0;
  mark(`activated ${options.version}${previousVersion ? ` (was ${previousVersion})` : ""}`);

  const ready = await waitHealthy(ports, ports.healthPolicy.readyTimeoutMs);
  let verdict: Verdict;
  let readyAfterMs: number | null = null;
  let detectedAfterMs: number | null = null;
  if (!ready.healthy) {
    verdict = neverReady(setup, ports.clock.now().getTime());
    detectedAfterMs = ports.clock.now().getTime() - t0;
    mark(`${options.version} never became ready: ${describeProbes(ready.last)}`);
  } else {
    readyAfterMs = ports.clock.now().getTime() - t0 - activatedAfterMs;
    mark(`${options.version} ready after ${readyAfterMs}ms; observing for ${options.observeMs}ms`);
    const total = Math.round(options.observeMs / 1000);
    const watched = await observeWindow(ports, {
      baseline: baselineSeries(baseline),
      setup,
      windowMs: options.observeMs,
      intervalMs: options.intervalMs,
      signal: options.signal,
      onTick: (tick) =>
        ports.progress.report({
          type: "note",
          message: `observing ${Math.round(tick.elapsedMs / 1000)}s/${total}s: ${describeTick(tick)}`,
        }),
    });
    verdict = watched.verdict;
    if (verdict.status === "failed") detectedAfterMs = ports.clock.now().getTime() - t0;
  }
  mark(
    `verdict: ${verdict.status}${verdict.severity ? ` ${verdict.severity}` : ""}${verdict.reasons.length ? ` — ${verdict.reasons.join("; ")}` : ""}`,
  );

  const failed = verdict.status === "failed";
  await saveReleaseRecord(
    ports,
    options.version,
    failed ? "failed" : verdict.status === "healthy" ? "healthy" : "active",
    {
      verdict: verdict as unknown as JsonObject,
      observedHealthy: verdict.status === "healthy",
    },
  );
  await ports.record({
    kind: "deploy.finished",
    subject: options.version,
    data: {
      from: previousVersion,
      to: options.version,
      verdict: verdict.status,
      severity: verdict.severity,
      reasons: [...verdict.reasons],
    },
    evidence: { version: options.version, previousVersion, baseline, verdict, timeline } as never,
  });

  const rolledBack = failed
    ? await onFailedVerdict(ports, {
        verdict,
        version: options.version,
        previousVersion,
        autoRollback: options.autoRollback,
        rollbackTimeoutMs: options.rollbackTimeoutMs,
        mark,
      })
    : null;
  return {
    version: options.version,
    previousVersion,
    status: verdict.status,
    baseline,
    verdict,
    activatedAfterMs,
    readyAfterMs,
    detectedAfterMs,
    rollback: rolledBack,
    timeline,
  };
}

/** The verdict of a release that never became ready: readiness failed, an outage (SEV-1). */
function neverReady(setup: ObservationSetup, at: number): Verdict {
  const limit = setup.analysis.consecutiveFailures;
  const ready = setup.definitions.find((d) => d.kind === "ready");
  const definitions = ready
    ? setup.definitions
    : [...setup.definitions, ...DEFAULT_OBSERVATION.definitions.filter((d) => d.kind === "ready")];
  const name = ready?.name ?? "ready";
  const points = Array.from({ length: limit }, (_, i) => ({
    at: at - (limit - 1 - i),
    value: 0,
    traffic: null,
  }));
  return analyzeWindow(
    definitions,
    {},
    { [name]: points },
    initialAnalysisState(at - limit),
    setup.analysis,
  ).verdict;
}

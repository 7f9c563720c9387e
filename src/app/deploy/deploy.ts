import type { JsonObject } from "../../domain/model/json.js";
import { judge } from "../../domain/observation/judge.js";
import type { Thresholds } from "../../domain/observation/thresholds.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import type { WindowSummary } from "../../domain/observation/window-summary.js";
import { schemaDifferences } from "../../domain/rollback/state-facts.js";
import type { EnvironmentPorts } from "../environment.js";
import { describeProbes, waitHealthy } from "../health/wait-healthy.js";
import { migrateForDeploy } from "../migrations/migrate-for-deploy.js";
import { saveReleaseRecord } from "../release/release-records.js";
import { requireRelease } from "../release/require-release.js";
import { candidate, inspectLive } from "../rollback/plan-rollback.js";
import { type RollbackResult, rollback } from "../rollback/rollback.js";
import { snapshotForVersion } from "../snapshots/take-snapshot.js";
import { captureBaseline, emptyWindow, observe } from "./observe.js";

export interface DeployOptions {
  readonly version: string;
  readonly baselineMs: number;
  readonly observeMs: number;
  readonly intervalMs: number;
  readonly autoRollback: boolean;
  readonly rollbackTimeoutMs: number;
  readonly thresholds: Thresholds;
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
  readonly baseline: WindowSummary | null;
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
 * `shipsafe deploy <version>`: baseline, activate, wait for readiness, observe; on a failed verdict
 * with auto-rollback, roll back to the previous release (restoring state when the schema moved).
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
  await requireRelease(ports.target, options.version);
  const previousVersion = (await ports.target.current()) ?? null;
  const running = (await ports.target.status()).running;
  const baseline = running ? await captureBaseline(ports, options.baselineMs) : null;
  mark(
    baseline
      ? `baseline captured over ${options.baselineMs}ms: ${baseline.requests} requests`
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
  const base = baseline ?? emptyWindow(t0);
  let verdict: Verdict;
  let readyAfterMs: number | null = null;
  let detectedAfterMs: number | null = null;
  if (!ready.healthy) {
    verdict = judge(
      base,
      emptyWindow(ports.clock.now().getTime()),
      { consecutiveFailures: Number.MAX_SAFE_INTEGER },
      options.thresholds,
    );
    detectedAfterMs = ports.clock.now().getTime() - t0;
    mark(`${options.version} never became ready: ${describeProbes(ready.last)}`);
  } else {
    readyAfterMs = ports.clock.now().getTime() - t0 - activatedAfterMs;
    mark(`${options.version} ready after ${readyAfterMs}ms; observing for ${options.observeMs}ms`);
    const watched = await observe(ports, {
      baseline: base,
      windowMs: options.observeMs,
      intervalMs: options.intervalMs,
      thresholds: options.thresholds,
      signal: options.signal,
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

  let rolledBack: RollbackResult | null = null;
  if (failed && options.autoRollback && previousVersion && previousVersion !== options.version) {
    // With migrations tracked the planner chooses the type from them (Type 2 keeps an additive
    // schema, Type 3 runs tested downs or restores); without, a schema change forces a restore.
    const restoreState = ports.migrations ? false : await schemaMoved(ports, previousVersion);
    mark(
      `auto-rollback to ${previousVersion}${restoreState ? " with state restore (schema changed)" : ""}`,
    );
    rolledBack = await rollback(ports, {
      to: previousVersion,
      restoreState,
      emergency: verdict.severity === "SEV-1",
      reason: `auto-rollback: ${verdict.reasons.join("; ") || "failed verdict"}`,
      timeoutMs: options.rollbackTimeoutMs,
      dryRun: false,
      // The environment's policy allowed automatic rollback, data loss stated in the plan included.
      acceptDataLoss: true,
      resume: false,
    });
    mark(rolledBack.message);
  } else if (failed && options.autoRollback) {
    mark("no previous release to roll back to");
  }
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

/** Whether the live schema differs from the snapshot that goes with `version`. */
async function schemaMoved(ports: EnvironmentPorts, version: string): Promise<boolean> {
  const snapshot = await snapshotForVersion(ports, version);
  if (!snapshot) return false;
  return schemaDifferences(candidate(snapshot).assets, await inspectLive(ports.assets)).length > 0;
}

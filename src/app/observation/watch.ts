import type { ObservationSetup } from "../../domain/observation/observation-setup.js";
import type { Verdict } from "../../domain/observation/verdict.js";
import type { EnvironmentPorts } from "../environment.js";
import { getReleaseRecord } from "../release/release-records.js";
import type { RollbackResult } from "../rollback/rollback.js";
import { type Baseline, baselineSeries } from "./baseline.js";
import { loadBaseline } from "./capture-baseline.js";
import { type ObservationTick, observeWindow } from "./observe-window.js";
import { onFailedVerdict } from "./on-failed-verdict.js";

export interface WatchOptions {
  /** A baseline id; default: the environment's newest. */
  readonly baselineId?: string | undefined;
  readonly setup: ObservationSetup;
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly autoRollback: boolean;
  readonly rollbackTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly onTick?: ((tick: ObservationTick) => void) | undefined;
}

export interface WatchResult {
  readonly baselineId: string;
  readonly version: string | null;
  readonly verdict: Verdict;
  readonly ticks: number;
  readonly decidedAfterMs: number;
  readonly stoppedEarly: boolean;
  readonly rollback: RollbackResult | null;
}

/**
 * `shipsafe watch`: the runbooks' "watch dashboards for 15-30 minutes", done by the analysis —
 * every interval against the stored baseline until the window ends or the verdict fails; then,
 * with auto-rollback, `onFailedVerdict` rolls back to the release before the current one.
 */
export async function watch(ports: EnvironmentPorts, options: WatchOptions): Promise<WatchResult> {
  const baseline: Baseline = await loadBaseline(ports, options.baselineId);
  const version = (await ports.target.current()) ?? null;
  const watched = await observeWindow(ports, {
    baseline: baselineSeries(baseline),
    setup: options.setup,
    windowMs: options.windowMs,
    intervalMs: options.intervalMs,
    signal: options.signal,
    onTick: options.onTick,
  });
  const verdict = watched.verdict;
  let rollback: RollbackResult | null = null;
  if (options.autoRollback) {
    // Only a watch allowed to act writes to the ledger (it holds the environment lock).
    await ports.record({
      kind: "watch.finished",
      subject: version ?? "-",
      data: {
        baseline: baseline.id,
        verdict: verdict.status,
        severity: verdict.severity,
        reasons: [...verdict.reasons],
      },
      evidence: { baseline: baseline.id, version, verdict } as never,
    });
    if (verdict.status === "failed" && version) {
      const record = await getReleaseRecord(ports, version);
      const previous = record?.doc.previousVersion;
      rollback = await onFailedVerdict(ports, {
        verdict,
        version,
        previousVersion: typeof previous === "string" ? previous : null,
        autoRollback: true,
        rollbackTimeoutMs: options.rollbackTimeoutMs,
        mark: (message) => ports.progress.report({ type: "note", message }),
      });
    }
  }
  return {
    baselineId: baseline.id,
    version,
    verdict,
    ticks: watched.ticks,
    decidedAfterMs: watched.decidedAfterMs,
    stoppedEarly: watched.stoppedEarly,
    rollback,
  };
}

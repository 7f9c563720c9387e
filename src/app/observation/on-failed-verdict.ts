import type { Verdict } from "../../domain/observation/verdict.js";
import { autoRollbackPolicy } from "../../domain/policy/policy-from-config.js";
import { schemaDifferences } from "../../domain/rollback/state-facts.js";
import type { EnvironmentPorts } from "../environment.js";
import { actOnVerdict } from "../policy/act-on-verdict.js";
import { candidate, inspectLive } from "../rollback/plan-rollback.js";
import type { RollbackResult } from "../rollback/rollback.js";
import { snapshotForVersion } from "../snapshots/take-snapshot.js";

export interface FailedVerdictContext {
  readonly verdict: Verdict;
  /** The release that failed, and the one to go back to (null: nothing ran before). */
  readonly version: string;
  readonly previousVersion: string | null;
  readonly autoRollback: boolean;
  readonly rollbackTimeoutMs: number;
  /** Notes progress (the deploy's / watch's timeline). */
  readonly mark: (event: string) => void;
}

/**
 * The one decision point after a failed verdict (deploy and watch): with auto-rollback on and a
 * previous release, the policy acts (actOnVerdict) — restoring state when the schema moved and no
 * migrations are tracked; emergency for SEV-1. Returns the rollback, or null when none ran (the
 * plan waits for approval, or the policy monitors).
 */
export async function onFailedVerdict(
  ports: EnvironmentPorts,
  context: FailedVerdictContext,
): Promise<RollbackResult | null> {
  const { verdict, version, previousVersion, mark } = context;
  if (verdict.status !== "failed" || !context.autoRollback) return null;
  if (!previousVersion || previousVersion === version) {
    mark("no previous release to roll back to");
    return null;
  }
  // With migrations tracked the planner chooses the type from them (Type 2 keeps an additive
  // schema, Type 3 runs tested downs or restores); without, a schema change forces a restore.
  const restoreState = ports.migrations ? false : await schemaMoved(ports, previousVersion);
  mark(
    `auto-rollback to ${previousVersion}${restoreState ? " with state restore (schema changed)" : ""}`,
  );
  // The policy decides per severity: roll back now, prepare a plan and wait for approval, or
  // monitor (docs/policy.md); `policy.autoRollback: true` alone rolls back at every severity.
  const acted = await actOnVerdict(ports, {
    verdict,
    previousVersion,
    restoreState,
    rollbackTimeoutMs: context.rollbackTimeoutMs,
    policy: autoRollbackPolicy(ports.policy),
  });
  mark(
    acted.rollback?.message ??
      (acted.plan
        ? `rollback plan ${acted.plan.id} prepared, waiting for approval: shipsafe approve ${acted.plan.id} --env ${ports.env}`
        : `policy: ${acted.decision.reason}`),
  );
  return acted.rollback;
}

/** Whether the live schema differs from the snapshot that goes with `version`. */
async function schemaMoved(ports: EnvironmentPorts, version: string): Promise<boolean> {
  const snapshot = await snapshotForVersion(ports, version);
  if (!snapshot) return false;
  return schemaDifferences(candidate(snapshot).assets, await inspectLive(ports.assets)).length > 0;
}

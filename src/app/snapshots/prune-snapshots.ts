import {
  type RetentionDecision,
  type RetentionPolicy,
  retentionPlan,
} from "../../domain/retention/retention-plan.js";
import type { EnvironmentPorts } from "../environment.js";

export interface PruneResult {
  readonly dryRun: boolean;
  readonly decisions: readonly RetentionDecision[];
  readonly removed: readonly string[];
  readonly bytesFreed: number;
}

/**
 * `shipsafe snapshot prune`: removes the snapshots no keep rule covers, then frees the data no
 * remaining snapshot uses. Snapshots an unfinished rollback or a live release depends on are
 * protected whatever the rules say.
 */
export async function pruneSnapshots(
  ports: Pick<EnvironmentPorts, "env" | "snapshots" | "store" | "clock" | "record" | "progress">,
  options: { policy: RetentionPolicy; dryRun: boolean },
): Promise<PruneResult> {
  const snapshots = await ports.snapshots.list({ env: ports.env });
  const decisions = retentionPlan(
    snapshots,
    options.policy,
    ports.clock.now().getTime(),
    await protectedSnapshots(ports),
  );
  if (options.dryRun) return { dryRun: true, decisions, removed: [], bytesFreed: 0 };
  const removed: string[] = [];
  for (const decision of decisions) {
    if (decision.keep) continue;
    await ports.snapshots.remove(decision.id);
    removed.push(decision.id);
  }
  ports.progress.report({ type: "step-started", step: "collect garbage" });
  const { bytesFreed } = await ports.snapshots.collectGarbage();
  ports.progress.report({
    type: "step-finished",
    step: "collect garbage",
    status: "succeeded",
    detail: `${bytesFreed} bytes freed`,
  });
  await ports.record({
    kind: "snapshot.pruned",
    subject: ports.env,
    data: { removed, bytesFreed, policy: { ...options.policy } },
  });
  return { dryRun: false, decisions, removed, bytesFreed };
}

/** Snapshots that must survive any prune: those an unfinished rollback or a live release needs. */
async function protectedSnapshots(
  ports: Pick<EnvironmentPorts, "env" | "store">,
): Promise<Map<string, string>> {
  const guard = new Map<string, string>();
  for (const rollback of await ports.store.rollbacks.list({ env: ports.env })) {
    if (rollback.status !== "running" && rollback.status !== "failed") continue;
    const plan = rollback.doc.plan as { restoreSnapshotId?: unknown } | undefined;
    if (typeof plan?.restoreSnapshotId === "string") {
      guard.set(plan.restoreSnapshotId, `unfinished rollback ${rollback.id}`);
    }
    for (const step of await ports.store.journal.entries(rollback.id)) {
      if (typeof step.detail.safetySnapshotId === "string") {
        guard.set(
          step.detail.safetySnapshotId,
          `safety snapshot of unfinished rollback ${rollback.id}`,
        );
      }
    }
  }
  for (const release of await ports.store.releases.list({ env: ports.env })) {
    if (!["prepared", "active", "healthy"].includes(release.status)) continue;
    const manifest = release.doc.manifest as { snapshotId?: unknown } | undefined;
    if (typeof manifest?.snapshotId === "string") {
      guard.set(
        manifest.snapshotId,
        `release ${release.version} (${release.status}) rolls back to it`,
      );
    }
  }
  return guard;
}

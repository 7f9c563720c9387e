import { formatDuration } from "../../domain/duration.js";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { PlanStep, RollbackPlan } from "../../domain/rollback/plan.js";
import { describeProbes, waitHealthy } from "../health/wait-healthy.js";
import { takeSnapshot } from "../snapshots/take-snapshot.js";
import type { ExecutorPorts } from "./execute-plan.js";

/**
 * Runs one step of a plan and returns its detail for the journal. Every step is safe to run again
 * after an interruption: stop/start/switch are idempotent on the target, maintenance switches must
 * be idempotent (docs/config.md#maintenance), a down to `to` reverts only what is still applied, a
 * restore replaces the state whole.
 */
export async function runStep(
  ports: ExecutorPorts,
  plan: RollbackPlan,
  step: PlanStep,
  remainingMs: number,
  safetySnapshotId: string | null,
): Promise<JsonObject> {
  switch (step.kind) {
    case "maintenance-on":
    case "maintenance-off": {
      const mode = ports.maintenance;
      if (!mode)
        throw notConfigured("maintenance", step, "a `maintenance` block (command or http)");
      const action = step.kind === "maintenance-on" ? "on" : "off";
      const done = await mode.set(action);
      return { via: mode.kind, call: mode.describe(action), result: done.detail };
    }
    case "stop":
      await ports.target.stop();
      return {};
    case "safety-snapshot": {
      const manifest = await takeSnapshot(ports, `safety:${plan.id}`);
      return { safetySnapshotId: manifest.id, size: manifest.size };
    }
    case "migrate-down": {
      if (!safetySnapshotId)
        throw new Error("refusing to migrate down: no safety snapshot was taken");
      const runner = ports.migrations;
      if (!runner) throw notConfigured("migrations", step, "its `migrations` block");
      const version = typeof step.params.release === "string" ? step.params.release : null;
      const release = version ? await ports.target.release(version) : undefined;
      if (!release) {
        throw new ShipsafeError({
          code: "RELEASE_MISSING",
          kind: "runtime",
          message: `migrate-down needs the down-migrations of release ${version ?? "(none named)"}, which is not stored on the target`,
          hint: "restore the state instead: shipsafe rollback --to <version> --restore-state",
        });
      }
      const to = typeof step.params.to === "string" ? step.params.to : null;
      const run = await runner.down(release.path, { to, progress: ports.progress });
      return { reverted: run.migrations.map((m) => m.id), head: run.head };
    }
    case "restore-state": {
      if (!safetySnapshotId) throw new Error("refusing to restore: no safety snapshot was taken");
      const id = plan.restoreSnapshotId;
      if (!id) throw new Error("the plan names no snapshot to restore");
      await ports.snapshots.restore(id, ports.assets, ports.progress);
      return { snapshotId: id };
    }
    case "switch-release":
      await ports.target.activate(plan.toVersion);
      return { version: plan.toVersion };
    case "start":
      await ports.target.start();
      return { version: plan.toVersion };
    case "verify-health": {
      const wait = await waitHealthy(
        ports,
        Math.min(ports.healthPolicy.readyTimeoutMs, remainingMs),
      );
      if (!wait.healthy) {
        throw new Error(
          `not healthy after ${formatDuration(wait.waitedMs)}: ${describeProbes(wait.last)}`,
        );
      }
      return { attempts: wait.attempts, waitedMs: wait.waitedMs };
    }
  }
}

function notConfigured(what: string, step: PlanStep, needs: string): ShipsafeError {
  return new ShipsafeError({
    code: "STEP_NOT_CONFIGURED",
    kind: "config",
    message: `step ${step.index + 1} (${step.kind}) needs ${what}, but the environment configures none now`,
    hint: `put back ${needs} in shipsafe.yaml and run shipsafe rollback --resume`,
  });
}

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { IntegrityReport } from "../../ports/state-asset.js";
import type { EnvironmentPorts } from "../environment.js";

export interface DrillResult {
  readonly id: string;
  readonly snapshotId: string;
  readonly passed: boolean;
  /** Time to restore and check every asset in the sandbox (RTO of this drill). */
  readonly restoreMs: number;
  /** Age of the snapshot's data when the drill ran (RPO if it were restored now). */
  readonly dataAgeMs: number;
  readonly sandbox: string;
  readonly integrity: readonly (IntegrityReport & { asset: string })[];
}

/**
 * `shipsafe restore drill <snapshot>`: restores into a scratch sandbox (nothing live is touched),
 * checks integrity, measures restore time and data age, and records the drill as evidence.
 */
export async function restoreDrill(
  ports: EnvironmentPorts,
  options: { snapshotId: string; sandboxRoot: string },
): Promise<DrillResult> {
  const manifest = await ports.snapshots.get(options.snapshotId);
  if (!manifest) {
    const recent = (await ports.snapshots.list({ env: ports.env })).slice(0, 5).map((s) => s.id);
    throw new ShipsafeError({
      code: "SNAPSHOT_UNKNOWN",
      kind: "usage",
      message: `no snapshot "${options.snapshotId}"${recent.length ? ` (newest: ${recent.join(", ")})` : ""}`,
      hint: "list them with: shipsafe snapshot list",
    });
  }
  const started = ports.clock.now();
  const id = `drill-${started
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
  const sandbox = join(options.sandboxRoot, id);
  ports.progress.report({ type: "step-started", step: "restore into sandbox", detail: sandbox });
  let reports: IntegrityReport[];
  try {
    reports = await ports.snapshots.restoreInto(manifest.id, ports.assets, sandbox);
  } catch (error) {
    reports = [
      {
        ok: false,
        checks: [
          {
            name: "restore",
            ok: false,
            detail: error instanceof Error ? error.message : String(error),
          },
        ],
      },
    ];
  }
  const restoreMs = ports.clock.now().getTime() - started.getTime();
  const integrity = reports.map((report, index) => ({
    asset: manifest.assets[index]?.name ?? "snapshot",
    ...report,
  }));
  const passed = integrity.length > 0 && integrity.every((r) => r.ok);
  ports.progress.report({
    type: "step-finished",
    step: "restore into sandbox",
    status: passed ? "succeeded" : "failed",
  });
  const result: DrillResult = {
    id,
    snapshotId: manifest.id,
    passed,
    restoreMs,
    dataAgeMs: started.getTime() - Date.parse(manifest.createdAt),
    sandbox,
    integrity,
  };
  const entry = await ports.record({
    kind: "restore.drill",
    subject: manifest.id,
    data: { drillId: id, passed, restoreMs, dataAgeMs: result.dataAgeMs },
    evidence: result as never,
  });
  await ports.store.drills.put({
    id,
    env: ports.env,
    kind: "restore",
    startedAt: started.toISOString(),
    passed,
    doc: { ...(result as unknown as JsonObject), evidenceHash: entry.evidenceHash ?? null },
  });
  return result;
}

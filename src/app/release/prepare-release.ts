import type { GateRun } from "../../domain/gate/gate-run.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";
import { existingAssets, takeSnapshot } from "../snapshots/take-snapshot.js";
import { type ReleaseGateOptions, runReleaseGate } from "./release-gate.js";
import { saveReleaseRecord } from "./release-records.js";
import { requireRelease } from "./require-release.js";

export interface PreparedRelease {
  readonly gate: GateRun;
  /** The release manifest; null when the gate failed. */
  readonly manifest: JsonObject | null;
  readonly snapshot: SnapshotManifest | null;
}

/**
 * `shipsafe release prepare <version>`: runs the release gate, then snapshots the running state and
 * writes the release manifest linked to that snapshot. A failed gate stops before the snapshot.
 */
export async function prepareRelease(
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
): Promise<PreparedRelease> {
  const info = await requireRelease(ports.target, options.version);
  const gate = await runReleaseGate(ports, options);
  if (!gate.passed) return { gate, manifest: null, snapshot: null };

  // Before the first deploy the state may not exist yet; later, a missing asset is an error.
  const running = await ports.target.current();
  const assets = running ? ports.assets : await existingAssets(ports.assets);
  const snapshot =
    assets.length > 0 ? await takeSnapshot(ports, `release:${options.version}`, assets) : null;
  const manifest: JsonObject = {
    service: ports.service,
    env: ports.env,
    version: options.version,
    gitCommit: info.gitCommit ?? null,
    artifacts: [
      {
        kind: "directory",
        path: info.path,
        checksum: info.checksum,
        files: info.files,
        bytes: info.bytes,
      },
    ],
    gateRunId: gate.id,
    snapshotId: snapshot?.id ?? null,
    // The newest migration the release ships: the schema it expects once deployed.
    migrationsHead: ports.migrations
      ? ((await ports.migrations.list(info.path)).at(-1)?.id ?? null)
      : null,
    preparedAt: ports.clock.now().toISOString(),
    runningVersion: (await ports.target.current()) ?? null,
  };
  await saveReleaseRecord(ports, options.version, "prepared", { manifest });
  await ports.record({
    kind: "release.prepared",
    subject: options.version,
    data: { gateRunId: gate.id, snapshotId: snapshot?.id ?? null, checksum: info.checksum },
    evidence: manifest,
  });
  return { gate, manifest, snapshot };
}

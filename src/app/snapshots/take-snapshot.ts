import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";

/**
 * Snapshots every protected asset of the environment and remembers which release was running, so a
 * rollback to that release can find the state that goes with it.
 */
export async function takeSnapshot(
  ports: Pick<
    EnvironmentPorts,
    "env" | "service" | "assets" | "snapshots" | "store" | "target" | "progress" | "record"
  >,
  reason: string,
  assets: EnvironmentPorts["assets"] = ports.assets,
): Promise<SnapshotManifest> {
  const runningVersion = (await ports.target.current()) ?? null;
  const manifest = await ports.snapshots.create(
    { env: ports.env, service: ports.service, reason },
    assets,
    ports.progress,
  );
  await ports.store.snapshots.put({
    id: manifest.id,
    env: ports.env,
    createdAt: manifest.createdAt,
    doc: { runningVersion, reason, size: manifest.size, manifestHash: manifest.manifestHash },
  });
  await ports.record({
    kind: "snapshot.created",
    subject: manifest.id,
    data: { reason, runningVersion, size: manifest.size, assets: manifest.assets.length },
    evidence: manifest as never,
  });
  return manifest;
}

/** The newest snapshot taken while `version` was the running release. */
export async function snapshotForVersion(
  ports: Pick<EnvironmentPorts, "env" | "store" | "snapshots">,
  version: string,
): Promise<SnapshotManifest | undefined> {
  const records = await ports.store.snapshots.list({ env: ports.env });
  for (const record of records) {
    if (record.doc.runningVersion !== version) continue;
    const manifest = await ports.snapshots.get(record.id);
    if (manifest) return manifest;
  }
  return undefined;
}

/** The assets that exist now (a first release may come before its database is created). */
export async function existingAssets(
  assets: EnvironmentPorts["assets"],
): Promise<EnvironmentPorts["assets"]> {
  const present: EnvironmentPorts["assets"][number][] = [];
  for (const asset of assets) {
    try {
      await asset.inspect();
      present.push(asset);
    } catch {
      // missing: nothing to protect yet
    }
  }
  return present;
}

import { join } from "node:path";
import { ShipsafeError } from "../../domain/errors.js";
import type { SnapshotStore } from "../../ports/snapshot-store.js";

/**
 * Writes snapshot `snapshotId` out under `dir` and returns the path of asset `assetName`'s first
 * file (the SQLite file or the PostgreSQL dump).
 */
export async function materializeAssetFile(
  snapshots: Pick<SnapshotStore, "materialize">,
  snapshotId: string,
  assetName: string,
  dir: string,
): Promise<string> {
  const manifest = await snapshots.materialize(snapshotId, dir);
  const asset = manifest.assets.find((a) => a.name === assetName);
  const file = asset?.files[0];
  if (!asset || !file) {
    throw new ShipsafeError({
      code: "SCRATCH_ASSET_MISSING",
      kind: "runtime",
      message: `snapshot ${snapshotId} holds no asset ${assetName} (it has: ${manifest.assets.map((a) => a.name).join(", ") || "none"})`,
      hint: "name the database's state asset in the migrations config, or use a snapshot that has it",
    });
  }
  return join(dir, asset.name, file.path);
}

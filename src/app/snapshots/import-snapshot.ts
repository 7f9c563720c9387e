import type { ArchiveLimits, SnapshotArchives } from "../../ports/snapshot-archive.js";
import { archiveRejected } from "../../ports/snapshot-archive.js";
import type { SnapshotManifest, SnapshotStore } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";
import { type ArchiveTrustDeps, archiveTrust } from "./verify-archive.js";

export interface ImportSnapshotDeps extends ArchiveTrustDeps {
  readonly snapshots: Pick<SnapshotStore, "adopt">;
  readonly archives: Pick<SnapshotArchives, "stage">;
  readonly record: EnvironmentPorts["record"];
  /** Where the private staging directory is made (on the state dir's file system). */
  readonly stagingParent: string;
  readonly limits?: Partial<ArchiveLimits>;
}

export interface ImportedSnapshot {
  readonly manifest: SnapshotManifest;
  readonly archive: string;
  readonly sha256: string;
  readonly trustedBy: "signature" | "ledger-pin";
}

/**
 * Imports an archive: extracts it into a private staging directory (every entry checked), requires
 * its manifest to be trusted (signature or ledger pin), then lets the store adopt it and records
 * `snapshot.imported`. A rejected archive leaves nothing behind.
 */
export async function importSnapshot(
  deps: ImportSnapshotDeps,
  file: string,
): Promise<ImportedSnapshot> {
  const staged = await deps.archives.stage(file, deps.stagingParent, deps.limits);
  try {
    const trust = await archiveTrust(deps, staged.header);
    if (!trust.trusted)
      throw archiveRejected(file, "shipsafe-archive.json", "untrusted", trust.reason);
    const manifest = await deps.snapshots.adopt(staged.manifest, staged.dataDir);
    await deps.record({
      kind: "snapshot.imported",
      subject: manifest.id,
      data: {
        archive: file,
        sha256: staged.sha256,
        manifestHash: manifest.manifestHash,
        keyId: staged.header.signature.keyId,
        trustedBy: trust.by,
      },
      evidence: manifest as never,
    });
    return { manifest, archive: file, sha256: staged.sha256, trustedBy: trust.by };
  } finally {
    await staged.discard();
  }
}

import type { Clock } from "../../ports/clock.js";
import type { Signer } from "../../ports/signer.js";
import type { ArchiveHeader, SnapshotArchives } from "../../ports/snapshot-archive.js";
import type { SnapshotStore } from "../../ports/snapshot-store.js";
import type { EnvironmentPorts } from "../environment.js";
import { archiveSignedMessage } from "./verify-archive.js";

export interface ExportSnapshotDeps {
  readonly snapshots: Pick<SnapshotStore, "materialize">;
  readonly archives: Pick<SnapshotArchives, "write" | "scratch">;
  readonly signer: Pick<Signer, "keyId" | "sign" | "publicKeyPem">;
  readonly clock: Clock;
  readonly record: EnvironmentPorts["record"];
}

export interface ExportedArchive {
  readonly snapshotId: string;
  readonly manifestHash: string;
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly keyId: string;
}

/**
 * Writes snapshot `id` as a portable archive at `file`: the store materializes it (verifying it
 * first) into a scratch directory under `scratchParent`, the manifest hash is signed with the
 * ledger key, and a `snapshot.exported` entry records the archive's sha256 with the manifest.
 */
export async function exportSnapshot(
  deps: ExportSnapshotDeps,
  id: string,
  file: string,
  scratchParent: string,
): Promise<ExportedArchive> {
  const scratch = await deps.archives.scratch(scratchParent);
  try {
    const manifest = await deps.snapshots.materialize(id, scratch.dir);
    const header: ArchiveHeader = {
      format: "shipsafe-archive/1",
      createdAt: deps.clock.now().toISOString(),
      snapshotId: manifest.id,
      manifestHash: manifest.manifestHash,
      signature: {
        keyId: deps.signer.keyId,
        publicKeyPem: deps.signer.publicKeyPem(),
        sig: deps.signer.sign(archiveSignedMessage(manifest.id, manifest.manifestHash)),
      },
    };
    const written = await deps.archives.write(file, { header, manifest, dataDir: scratch.dir });
    const result: ExportedArchive = {
      snapshotId: manifest.id,
      manifestHash: manifest.manifestHash,
      file,
      sha256: written.sha256,
      bytes: written.bytes,
      keyId: deps.signer.keyId,
    };
    await deps.record({
      kind: "snapshot.exported",
      subject: manifest.id,
      data: { ...result },
      evidence: manifest as never,
    });
    return result;
  } finally {
    await scratch.discard();
  }
}

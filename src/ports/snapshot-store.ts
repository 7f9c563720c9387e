import type { Progress } from "./progress.js";
import type { AssetManifest, IntegrityReport, StateAsset } from "./state-asset.js";

export interface SnapshotManifest {
  readonly id: string;
  readonly env: string;
  readonly service: string;
  readonly createdAt: string;
  /** Why it was taken: `manual`, `release:1.2.0`, `safety:rollback-<id>`, ... */
  readonly reason: string;
  readonly assets: readonly AssetManifest[];
  readonly size: number;
  /** sha256 of the canonical JSON of the manifest without this field. */
  readonly manifestHash: string;
}

export interface SnapshotVerification {
  readonly id: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/**
 * Where snapshots live. A snapshot becomes visible only when complete: a process killed mid-way
 * leaves nothing that `list` shows or `verify` trips on.
 */
export interface SnapshotStore {
  create(
    meta: { env: string; service: string; reason: string },
    assets: readonly StateAsset[],
    progress?: Progress,
  ): Promise<SnapshotManifest>;
  /** Newest first. */
  list(filter?: { env?: string }): Promise<SnapshotManifest[]>;
  get(id: string): Promise<SnapshotManifest | undefined>;
  /** Re-hashes every file against the manifest. */
  verify(id: string): Promise<SnapshotVerification>;
  /** Verifies, then restores each asset (all of them, or those named) over the live asset. */
  restore(id: string, assets: readonly StateAsset[], progress?: Progress): Promise<void>;
  /** Verifies, then restores into a sandbox directory and runs each asset's integrity checks. */
  restoreInto(
    id: string,
    assets: readonly StateAsset[],
    sandboxDir: string,
  ): Promise<IntegrityReport[]>;
  /**
   * Verifies, then writes every file of the snapshot in its plain (restorable) form as
   * `<dir>/<asset>/<path>` (what a portable archive carries). `dir` exists.
   */
  materialize(id: string, dir: string): Promise<SnapshotManifest>;
  /**
   * Ingests a directory laid out like `materialize` writes it (already verified against
   * `manifest`) as a snapshot with the manifest's id, visible only when complete, like `create`.
   * The same id with the same manifestHash is a no-op; with another, SNAPSHOT_EXISTS (refused).
   */
  adopt(manifest: SnapshotManifest, dir: string): Promise<SnapshotManifest>;
  /** Makes a snapshot invisible and forgets it; its data is freed by `collectGarbage`. */
  remove(id: string): Promise<void>;
  /** Frees stored data no remaining snapshot uses. Never frees what a snapshot being written needs. */
  collectGarbage(): Promise<{ readonly bytesFreed: number }>;
}

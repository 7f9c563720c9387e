import { ShipsafeError } from "../domain/errors.js";
import type { SnapshotManifest } from "./snapshot-store.js";

/** The `shipsafe-archive.json` entry that opens every portable snapshot archive. */
export interface ArchiveHeader {
  readonly format: "shipsafe-archive/1";
  readonly createdAt: string;
  readonly snapshotId: string;
  readonly manifestHash: string;
  readonly signature: {
    /** sha256 fingerprint (hex) of the signing public key. */
    readonly keyId: string;
    readonly publicKeyPem: string;
    /** Ed25519 signature (base64) over the archive's signed message (see verify-archive). */
    readonly sig: string;
  };
}

/** Bounds a reader enforces before it trusts an archive with disk or memory. */
export interface ArchiveLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
  readonly maxFileBytes: number;
  /** Path segments, `data/<asset>/...` included. */
  readonly maxDepth: number;
  readonly maxPathBytes: number;
  readonly maxSegmentBytes: number;
  /** For the three metadata entries, which are read into memory. */
  readonly maxMetadataBytes: number;
}

/** What a reader learned from an archive whose every entry checked out. */
export interface ArchiveSummary {
  readonly header: ArchiveHeader;
  readonly manifest: SnapshotManifest;
  /** sha256 (hex) of the whole archive file. */
  readonly sha256: string;
  readonly bytes: number;
  readonly entries: number;
}

/** An archive extracted into a private staging directory, every file checked. */
export interface StagedArchive extends ArchiveSummary {
  /** `<asset>/<path>` for every file of the manifest: the input `SnapshotStore.adopt` takes. */
  readonly dataDir: string;
  /** Removes the staging directory. */
  discard(): Promise<void>;
}

/** A private scratch directory. */
export interface ScratchDir {
  readonly dir: string;
  discard(): Promise<void>;
}

/**
 * Portable snapshot archives. Readers throw ARCHIVE_REJECTED (naming the entry and the rule) for
 * anything unsafe or inconsistent; nothing is ever written outside the staging directory.
 */
export interface SnapshotArchives {
  /** Writes `file` atomically (temp file, fsync, rename) from a materialized snapshot. */
  write(
    file: string,
    contents: { header: ArchiveHeader; manifest: SnapshotManifest; dataDir: string },
  ): Promise<{ sha256: string; bytes: number }>;
  /** Reads and checks every entry without extracting anything. */
  inspect(file: string, limits?: Partial<ArchiveLimits>): Promise<ArchiveSummary>;
  /** Extracts into a fresh private directory under `stagingParent`, checking every entry. */
  stage(
    file: string,
    stagingParent: string,
    limits?: Partial<ArchiveLimits>,
  ): Promise<StagedArchive>;
  /** A fresh private directory under `parent`, e.g. to materialize a snapshot into. */
  scratch(parent: string): Promise<ScratchDir>;
}

/** The safety and consistency rules a reader enforces; each rejection names one. */
export type ArchiveRule =
  | "bad-header-checksum"
  | "not-ustar"
  | "bad-numeric-field"
  | "truncated"
  | "missing-end-blocks"
  | "data-after-end"
  | "link"
  | "device"
  | "unsupported-type"
  | "unsupported-pax"
  | "absolute-path"
  | "path-traversal"
  | "backslash"
  | "nul-in-name"
  | "empty-segment"
  | "bad-name"
  | "name-too-long"
  | "too-deep"
  | "duplicate-entry"
  | "case-fold-duplicate"
  | "path-conflict"
  | "unexpected-entry"
  | "too-many-entries"
  | "entry-too-large"
  | "archive-too-large"
  | "bad-metadata"
  | "manifest-mismatch"
  | "unlisted-entry"
  | "missing-entry"
  | "checksum-mismatch"
  | "not-a-directory"
  | "untrusted";

export const ARCHIVE_REJECTED = "ARCHIVE_REJECTED";

/** ARCHIVE_REJECTED (refused, exit 4): the whole archive is refused, nothing was moved into place. */
export function archiveRejected(
  file: string,
  entry: string,
  rule: ArchiveRule,
  detail: string,
): ShipsafeError {
  return new ShipsafeError({
    code: ARCHIVE_REJECTED,
    kind: "refused",
    message: `archive ${file} rejected: entry ${JSON.stringify(entry)} breaks rule ${rule}: ${detail}`,
    hint: "nothing was imported or written outside the staging directory; get the archive again from its source (shipsafe snapshot export) and check it with shipsafe backup verify",
    location: entry,
    problems: [{ location: entry, path: rule, message: detail, hint: "" }],
  });
}

import { ShipsafeError } from "../domain/errors.js";
import type { BundleFile } from "../domain/evidence-bundle/bundle-format.js";

/** What a reader recovered from a bundle whose container (gzip, tar) checked out. */
export interface ReadBundle {
  readonly files: readonly BundleFile[];
  /** The mtime every tar header carries (the manifest's createdAt in seconds). */
  readonly mtime: number;
  /** sha256 of the bundle file as read. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Bounds a reader enforces before it trusts a bundle with disk or memory. */
export interface BundleLimits {
  readonly maxEntries: number;
  /** Uncompressed tar size (refuses gzip bombs). */
  readonly maxTarBytes: number;
  readonly maxFileBytes: number;
}

/**
 * Evidence bundles as files. Readers throw BUNDLE_REJECTED or ARCHIVE_REJECTED (naming the entry
 * and the rule) for a container that is damaged, hostile or not in the form writers produce.
 */
export interface EvidenceBundles {
  /** Writes `file` atomically (temp file, fsync, link); BUNDLE_EXISTS if `file` exists. */
  write(
    file: string,
    files: readonly BundleFile[],
    createdAt: string,
  ): Promise<{ sha256: string; bytes: number }>;
  read(file: string, limits?: Partial<BundleLimits>): Promise<ReadBundle>;
}

export const BUNDLE_REJECTED = "BUNDLE_REJECTED";

/** BUNDLE_REJECTED: the container breaks a rule; nothing of it is trusted. */
export function bundleRejected(
  file: string,
  entry: string,
  rule: string,
  detail: string,
): ShipsafeError {
  return new ShipsafeError({
    code: BUNDLE_REJECTED,
    kind: "refused",
    message: `bundle ${file} rejected: ${entry} breaks rule ${rule}: ${detail}`,
    hint: "the bundle was damaged or altered after it was written; get it again from its source (shipsafe evidence bundle)",
    location: entry,
    problems: [{ location: entry, path: rule, message: detail, hint: "" }],
  });
}

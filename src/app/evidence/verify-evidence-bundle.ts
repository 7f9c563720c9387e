import { isShipsafeError } from "../../domain/errors.js";
import {
  type BundleVerification,
  verifyBundleFiles,
} from "../../domain/evidence-bundle/verify-bundle.js";
import { BUNDLE_REJECTED, type EvidenceBundles } from "../../ports/evidence-bundle.js";
import { ARCHIVE_REJECTED } from "../../ports/snapshot-archive.js";

/** The `evidence verify` document (CLI `--json`). */
export interface EvidenceBundleVerification extends BundleVerification {
  readonly bundle: string;
  /** sha256 of the bundle file, null when it could not be read as a bundle. */
  readonly sha256: string | null;
}

/**
 * `shipsafe evidence verify`: reads the bundle with the safe reader and checks it offline, with
 * nothing but the bundle and, when given, a pinned public key (PEM).
 */
export async function verifyEvidenceBundle(
  deps: { readonly bundles: Pick<EvidenceBundles, "read"> },
  file: string,
  options: { readonly pinnedKeyPem?: string | undefined } = {},
): Promise<EvidenceBundleVerification> {
  let read: Awaited<ReturnType<EvidenceBundles["read"]>>;
  try {
    read = await deps.bundles.read(file);
  } catch (error) {
    if (
      !isShipsafeError(error) ||
      (error.code !== BUNDLE_REJECTED && error.code !== ARCHIVE_REJECTED)
    )
      throw error;
    const problem = error.problems[0];
    return {
      bundle: file,
      sha256: null,
      ok: false,
      createdAt: null,
      keyId: null,
      keyPinned: false,
      ledger: null,
      evidence: 0,
      files: 0,
      problems: [
        {
          check: "archive",
          subject: `${problem?.location ?? error.location ?? ""} (${problem?.path ?? "rejected"})`,
          message: error.message,
        },
      ],
    };
  }
  return {
    bundle: file,
    sha256: read.sha256,
    ...verifyBundleFiles(read.files, read.mtime, options),
  };
}

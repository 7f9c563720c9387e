import { canonicalJson } from "../../domain/canonical-json.js";
import { isShipsafeError } from "../../domain/errors.js";
import type { EvidenceStore } from "../../ports/evidence-store.js";
import type { LedgerStore } from "../../ports/ledger.js";
import type { Signer } from "../../ports/signer.js";
import {
  ARCHIVE_REJECTED,
  type ArchiveHeader,
  type ArchiveLimits,
  type SnapshotArchives,
} from "../../ports/snapshot-archive.js";

/** Ledger entries whose evidence (the manifest) pins a manifest hash as this state dir's own. */
export const PINNING_KINDS: readonly string[] = ["snapshot.created", "snapshot.exported"];

/** What the exporting signer signs: the manifest hash, bound to the snapshot id and the format. */
export function archiveSignedMessage(snapshotId: string, manifestHash: string): string {
  return canonicalJson({ format: "shipsafe-archive/1", snapshotId, manifestHash });
}

/** Where trust in an archive's manifest may come from; all optional (no state dir: none). */
export interface ArchiveTrustDeps {
  readonly signer?: Pick<Signer, "verify">;
  readonly ledger?: Pick<LedgerStore, "entries">;
  readonly evidence?: Pick<EvidenceStore, "get">;
}

export type ArchiveTrust =
  | { readonly trusted: true; readonly by: "signature" | "ledger-pin"; readonly ledgerSeq?: number }
  | { readonly trusted: false; readonly reason: string };

/**
 * Trusted when signed by a key this state dir trusts (its ledger key or keys/trusted/*.pem), or,
 * for an unknown key, when a `snapshot.created`/`snapshot.exported` entry of this ledger recorded
 * the same manifest hash for the same snapshot.
 */
export async function archiveTrust(
  deps: ArchiveTrustDeps,
  header: ArchiveHeader,
): Promise<ArchiveTrust> {
  const { keyId, sig } = header.signature;
  const message = archiveSignedMessage(header.snapshotId, header.manifestHash);
  if (deps.signer?.verify(message, sig, keyId)) return { trusted: true, by: "signature" };
  const ledgerSeq = await pinnedAt(deps, header);
  if (ledgerSeq !== undefined) return { trusted: true, by: "ledger-pin", ledgerSeq };
  const where = deps.signer ? "this state dir" : "no state dir (pass --state-dir)";
  return {
    trusted: false,
    reason: `the signature by key ${keyId} does not verify with any key trusted by ${where}, and manifest hash ${header.manifestHash} is not pinned in its ledger`,
  };
}

async function pinnedAt(
  deps: ArchiveTrustDeps,
  header: ArchiveHeader,
): Promise<number | undefined> {
  if (!deps.ledger) return undefined;
  for await (const entry of deps.ledger.entries()) {
    if (!PINNING_KINDS.includes(entry.kind) || entry.subject !== header.snapshotId) continue;
    if (entry.data.manifestHash === header.manifestHash) return entry.seq;
    if (entry.evidenceHash === undefined || !deps.evidence) continue;
    try {
      const doc = await deps.evidence.get(entry.evidenceHash);
      const recorded = (doc as { manifestHash?: unknown } | undefined)?.manifestHash;
      if (recorded === header.manifestHash) return entry.seq;
    } catch (error) {
      if (!isShipsafeError(error)) throw error;
      // Altered evidence pins nothing; `audit verify` reports it.
    }
  }
  return undefined;
}

export interface ArchiveProblem {
  readonly entry: string;
  readonly rule: string;
  readonly message: string;
}

/** The `backup verify` document (CLI `--json` and API). */
export interface ArchiveVerification {
  readonly archive: string;
  readonly ok: boolean;
  readonly snapshotId: string | null;
  readonly manifestHash: string | null;
  readonly keyId: string | null;
  readonly entries: number | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  /** What made the manifest trusted, or null when nothing did. */
  readonly trustedBy: "signature" | "ledger-pin" | null;
  readonly ledgerSeq: number | null;
  readonly problems: readonly ArchiveProblem[];
}

/**
 * Checks an archive without any snapshot store: every tar header and entry, SHA256SUMS and the
 * manifest (hash recomputed), then the manifest's signature or ledger pin.
 */
export async function verifyArchive(
  deps: ArchiveTrustDeps & {
    archives: Pick<SnapshotArchives, "inspect">;
    limits?: Partial<ArchiveLimits>;
  },
  file: string,
): Promise<ArchiveVerification> {
  const empty = {
    archive: file,
    snapshotId: null,
    manifestHash: null,
    keyId: null,
    entries: null,
    bytes: null,
    sha256: null,
    trustedBy: null,
    ledgerSeq: null,
  };
  let summary: Awaited<ReturnType<SnapshotArchives["inspect"]>>;
  try {
    summary = await deps.archives.inspect(file, deps.limits);
  } catch (error) {
    if (!isShipsafeError(error) || error.code !== ARCHIVE_REJECTED) throw error;
    const problem = error.problems[0];
    const entry = problem?.location ?? error.location ?? "";
    return {
      ...empty,
      ok: false,
      problems: [{ entry, rule: problem?.path ?? "", message: error.message }],
    };
  }
  const { header } = summary;
  const trust = await archiveTrust(deps, header);
  return {
    archive: file,
    ok: trust.trusted,
    snapshotId: header.snapshotId,
    manifestHash: header.manifestHash,
    keyId: header.signature.keyId,
    entries: summary.entries,
    bytes: summary.bytes,
    sha256: summary.sha256,
    trustedBy: trust.trusted ? trust.by : null,
    ledgerSeq: trust.trusted ? (trust.ledgerSeq ?? null) : null,
    problems: trust.trusted
      ? []
      : [{ entry: "shipsafe-archive.json", rule: "untrusted", message: trust.reason }],
  };
}

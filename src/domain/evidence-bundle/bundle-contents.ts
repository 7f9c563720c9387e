import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import {
  BUNDLE_FORMAT,
  type BundleFile,
  type BundleManifest,
  type BundleSince,
  CHECKPOINTS_FILE,
  ENTRIES_FILE,
  evidencePath,
  GATE_SUMMARY_FILE,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  manifestSignedMessage,
  PUBLIC_KEY_FILE,
  sha256Hex,
} from "./bundle-format.js";
import { excerptGateSummary } from "./excerpt-gate-summary.js";
import { excerptLines } from "./ledger-excerpt.js";

export interface BundleInput {
  readonly createdAt: string;
  readonly since: BundleSince;
  /** Consecutive entries; the last is covered by `checkpoints.at(-1)`. */
  readonly entries: readonly LedgerEntry[];
  /** Checkpoints with seqs inside the excerpt, ascending. */
  readonly checkpoints: readonly LedgerCheckpoint[];
  /** Evidence document text (canonical JSON) by hash, for every hash the entries reference. */
  readonly evidence: ReadonlyMap<string, string>;
  readonly publicKeyPem: string;
  readonly keyId: string;
  /** Signs with the ledger key (base64 Ed25519). */
  readonly sign: (message: string) => string;
}

/** The files of an evidence bundle, in tar order: manifest, its signature, then what it lists. */
export function bundleContents(input: BundleInput): BundleFile[] {
  const first = input.entries[0];
  const last = input.entries.at(-1);
  const checkpoint = input.checkpoints.at(-1);
  if (!first || !last || !checkpoint || checkpoint.seq !== last.seq) {
    throw new Error("bundleContents needs entries whose last one a checkpoint covers");
  }
  const lines = excerptLines(input.entries, input.checkpoints);
  const listed: BundleFile[] = [
    { path: PUBLIC_KEY_FILE, content: Buffer.from(input.publicKeyPem, "utf8") },
    { path: ENTRIES_FILE, content: Buffer.from(lines.entries, "utf8") },
    { path: CHECKPOINTS_FILE, content: Buffer.from(lines.checkpoints, "utf8") },
    {
      path: GATE_SUMMARY_FILE,
      content: Buffer.from(`${JSON.stringify(excerptGateSummary(input.entries), null, 2)}\n`),
    },
    ...[...input.evidence.keys()].sort().map((hash) => ({
      path: evidencePath(hash),
      content: Buffer.from(input.evidence.get(hash) as string, "utf8"),
    })),
  ];
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    createdAt: input.createdAt,
    since: input.since,
    ledger: {
      fromSeq: first.seq,
      toSeq: last.seq,
      entries: input.entries.length,
      firstPrevHash: first.prevHash,
      checkpointSeq: checkpoint.seq,
    },
    keyId: input.keyId,
    files: listed.map((f) => ({
      path: f.path,
      size: f.content.length,
      sha256: sha256Hex(f.content),
    })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
  const signature = {
    keyId: input.keyId,
    signature: input.sign(manifestSignedMessage(sha256Hex(manifestBytes))),
  };
  return [
    { path: MANIFEST_FILE, content: manifestBytes },
    { path: MANIFEST_SIG_FILE, content: Buffer.from(`${JSON.stringify(signature, null, 2)}\n`) },
    ...listed,
  ];
}

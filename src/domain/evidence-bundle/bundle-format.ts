import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";

/**
 * `shipsafe-evidence-bundle/1`: a gzip-compressed POSIX tar of these files, manifest first.
 * Every file but the manifest and its signature is listed in the manifest with its sha256.
 */
export const BUNDLE_FORMAT = "shipsafe-evidence-bundle/1";
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_SIG_FILE = "manifest.sig";
export const PUBLIC_KEY_FILE = "public-key.pem";
export const ENTRIES_FILE = "ledger/entries.jsonl";
export const CHECKPOINTS_FILE = "ledger/checkpoints.jsonl";
export const GATE_SUMMARY_FILE = "gate-summary.json";
export const EVIDENCE_DIR = "evidence";

/** One file of a bundle, in tar order. */
export interface BundleFile {
  readonly path: string;
  readonly content: Buffer;
}

/** What the bundle was asked to cover: entries since a time, or since a release's first entry. */
export interface BundleSince {
  readonly kind: "time" | "release";
  readonly value: string;
  readonly env: string | null;
}

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly createdAt: string;
  readonly since: BundleSince;
  readonly ledger: {
    readonly fromSeq: number;
    readonly toSeq: number;
    readonly entries: number;
    /** The first entry's prevHash: taken as given by a verifier (the chain before is not here). */
    readonly firstPrevHash: string;
    /** The signed checkpoint that covers the last entry. */
    readonly checkpointSeq: number;
  };
  /** sha256 (hex) of the DER SPKI public key in public-key.pem. */
  readonly keyId: string;
  readonly files: readonly {
    readonly path: string;
    readonly size: number;
    readonly sha256: string;
  }[];
}

/** `manifest.sig`: an Ed25519 signature over `manifestSignedMessage(sha256(manifest.json))`. */
export interface ManifestSignature {
  readonly keyId: string;
  readonly signature: string;
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The exact text `manifest.sig` signs: the manifest's sha256 bound to the format. */
export function manifestSignedMessage(manifestSha256: string): string {
  return canonicalJson({ format: BUNDLE_FORMAT, manifestSha256 });
}

/** `evidence/<sha256>.json`. */
export function evidencePath(hash: string): string {
  return `${EVIDENCE_DIR}/${hash}.json`;
}

/** The tar mtime of every entry: the manifest's `createdAt` in whole seconds. */
export function bundleMtime(createdAt: string): number {
  return Math.floor(Date.parse(createdAt) / 1000) || 0;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and checks manifest.json strictly; returns the problem as text. */
export function parseBundleManifest(text: string): BundleManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "manifest.json is not valid JSON";
  }
  const m = record(value);
  if (m === undefined) return "manifest.json is not a JSON object";
  if (m.format !== BUNDLE_FORMAT)
    return `format is ${JSON.stringify(m.format)}, not ${BUNDLE_FORMAT}`;
  if (typeof m.createdAt !== "string" || Number.isNaN(Date.parse(m.createdAt)))
    return "createdAt is not a time";
  if (typeof m.keyId !== "string" || !HEX64.test(m.keyId)) return "keyId is not a sha256";
  const since = record(m.since);
  if (
    since === undefined ||
    (since.kind !== "time" && since.kind !== "release") ||
    typeof since.value !== "string" ||
    (since.env !== null && typeof since.env !== "string")
  )
    return "since is not {kind, value, env}";
  const ledger = record(m.ledger);
  const ints = ["fromSeq", "toSeq", "entries", "checkpointSeq"] as const;
  if (ledger === undefined || ints.some((k) => !Number.isSafeInteger(ledger[k])))
    return "ledger is not {fromSeq, toSeq, entries, firstPrevHash, checkpointSeq}";
  if (typeof ledger.firstPrevHash !== "string" || !HEX64.test(ledger.firstPrevHash))
    return "ledger.firstPrevHash is not a sha256";
  if (!Array.isArray(m.files)) return "files is not a list";
  for (const [i, f] of m.files.entries()) {
    const file = record(f);
    if (
      file === undefined ||
      typeof file.path !== "string" ||
      !Number.isSafeInteger(file.size) ||
      typeof file.sha256 !== "string" ||
      !HEX64.test(file.sha256)
    )
      return `files[${i}] is not {path, size, sha256}`;
  }
  return value as BundleManifest;
}

/** Parses manifest.sig; returns the problem as text. */
export function parseManifestSignature(text: string): ManifestSignature | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "manifest.sig is not valid JSON";
  }
  const sig = record(value);
  if (sig === undefined || typeof sig.keyId !== "string" || typeof sig.signature !== "string")
    return "manifest.sig is not {keyId, signature}";
  return { keyId: sig.keyId, signature: sig.signature };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

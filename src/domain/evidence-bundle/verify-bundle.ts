import type { LedgerCheckpoint, LedgerEntry } from "../model/ledger.js";
import {
  type BundleFile,
  type BundleManifest,
  bundleMtime,
  CHECKPOINTS_FILE,
  ENTRIES_FILE,
  EVIDENCE_DIR,
  evidencePath,
  GATE_SUMMARY_FILE,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  manifestSignedMessage,
  PUBLIC_KEY_FILE,
  parseBundleManifest,
  parseManifestSignature,
  sha256Hex,
} from "./bundle-format.js";
import { type BundleKey, bundleKeyFromPem } from "./bundle-key.js";
import { excerptGateSummary } from "./excerpt-gate-summary.js";
import {
  type BundleProblem,
  isCheckpoint,
  isLedgerEntry,
  parseExcerptLines,
  verifyExcerpt,
} from "./ledger-excerpt.js";

/** The result of checking a bundle (the `evidence verify --json` document, without the path). */
export interface BundleVerification {
  readonly ok: boolean;
  readonly createdAt: string | null;
  readonly keyId: string | null;
  /** True when `--key` was given and equals the bundled key. */
  readonly keyPinned: boolean;
  readonly ledger: BundleManifest["ledger"] | null;
  readonly evidence: number;
  readonly files: number;
  readonly problems: readonly BundleProblem[];
}

/**
 * Checks a bundle's files with nothing but the bundle (and optionally a pinned key): the manifest
 * signature, every checksum, the excerpt's chain and checkpoints, the evidence each entry
 * references, and the gate summary recomputed from the excerpt. Lists every problem found.
 */
export function verifyBundleFiles(
  files: readonly BundleFile[],
  tarMtime: number,
  options: { readonly pinnedKeyPem?: string | undefined } = {},
): BundleVerification {
  const problems: BundleProblem[] = [];
  const add = (check: string, subject: string, message: string) =>
    problems.push({ check, subject, message });
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const manifestBytes = files[0]?.path === MANIFEST_FILE ? files[0].content : undefined;
  const parsed = manifestBytes ? parseBundleManifest(manifestBytes.toString("utf8")) : undefined;
  if (parsed === undefined || typeof parsed === "string") {
    add("manifest", MANIFEST_FILE, parsed ?? `the bundle does not start with ${MANIFEST_FILE}`);
    return result(undefined, undefined, false, problems, files.length);
  }
  const manifest = parsed;
  if (tarMtime !== bundleMtime(manifest.createdAt)) {
    add(
      "archive",
      "tar headers",
      `mtime ${tarMtime} is not the manifest's createdAt ${manifest.createdAt}`,
    );
  }

  const key = publicKey(byPath.get(PUBLIC_KEY_FILE), manifest, add);
  let pinned = false;
  if (options.pinnedKeyPem !== undefined) {
    const pin = bundleKeyFromPem(options.pinnedKeyPem);
    if (typeof pin === "string") add("key", "--key", `the pinned key is ${pin}`);
    else if (pin.keyId !== key?.keyId)
      add(
        "key",
        PUBLIC_KEY_FILE,
        `the bundled key ${key?.keyId ?? "(none)"} is not the pinned key ${pin.keyId}`,
      );
    else pinned = true;
  }
  checkManifestSignature(byPath.get(MANIFEST_SIG_FILE), manifestBytes as Buffer, key, add);

  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const content = byPath.get(file.path);
    if (content === undefined)
      add("checksum", file.path, "listed in the manifest, absent from the bundle");
    else if (content.length !== file.size || sha256Hex(content) !== file.sha256)
      add(
        "checksum",
        file.path,
        `${content.length} bytes with sha256 ${sha256Hex(content)}; the manifest says ${file.size} bytes, ${file.sha256}`,
      );
  }
  for (const { path } of files) {
    if (path !== MANIFEST_FILE && path !== MANIFEST_SIG_FILE && !listed.has(path))
      add("checksum", path, "not listed in the manifest");
  }

  const entries = lines<LedgerEntry>(
    byPath.get(ENTRIES_FILE),
    "entry",
    ENTRIES_FILE,
    isLedgerEntry,
    add,
  );
  const checkpoints = lines<LedgerCheckpoint>(
    byPath.get(CHECKPOINTS_FILE),
    "checkpoint",
    CHECKPOINTS_FILE,
    isCheckpoint,
    add,
  );
  if (entries && checkpoints) {
    problems.push(...verifyExcerpt(entries, checkpoints, key));
    checkLedgerFacts(manifest, entries, checkpoints, add);
    const referenced = checkEvidence(entries, byPath, add);
    for (const { path } of files) {
      if (path.startsWith(`${EVIDENCE_DIR}/`) && !referenced.has(path))
        add("evidence", path, "no entry of the excerpt references it");
    }
    const summary = `${JSON.stringify(excerptGateSummary(entries), null, 2)}\n`;
    if (byPath.get(GATE_SUMMARY_FILE)?.toString("utf8") !== summary)
      add("gate-summary", GATE_SUMMARY_FILE, "does not match the gate runs of the excerpt");
  }
  const evidenceFiles = files.filter((f) => f.path.startsWith(`${EVIDENCE_DIR}/`)).length;
  return result(manifest, key, pinned, problems, files.length, evidenceFiles);
}

type Add = (check: string, subject: string, message: string) => void;

function result(
  manifest: BundleManifest | undefined,
  key: BundleKey | undefined,
  pinned: boolean,
  problems: BundleProblem[],
  files: number,
  evidence = 0,
): BundleVerification {
  return {
    ok: problems.length === 0,
    createdAt: manifest?.createdAt ?? null,
    keyId: key?.keyId ?? null,
    keyPinned: pinned,
    ledger: manifest?.ledger ?? null,
    evidence,
    files,
    problems,
  };
}

function publicKey(
  pem: Buffer | undefined,
  manifest: BundleManifest,
  add: Add,
): BundleKey | undefined {
  if (pem === undefined) {
    add("key", PUBLIC_KEY_FILE, "the bundle holds no public key");
    return undefined;
  }
  const key = bundleKeyFromPem(pem.toString("utf8"));
  if (typeof key === "string") {
    add("key", PUBLIC_KEY_FILE, key);
    return undefined;
  }
  if (key.keyId !== manifest.keyId)
    add("key", PUBLIC_KEY_FILE, `key id ${key.keyId}, the manifest says ${manifest.keyId}`);
  return key;
}

function checkManifestSignature(
  sig: Buffer | undefined,
  manifest: Buffer,
  key: BundleKey | undefined,
  add: Add,
): void {
  const parsed =
    sig === undefined
      ? `the bundle holds no ${MANIFEST_SIG_FILE}`
      : parseManifestSignature(sig.toString("utf8"));
  if (typeof parsed === "string") {
    add("signature", MANIFEST_SIG_FILE, parsed);
  } else if (key === undefined) {
    add("signature", MANIFEST_SIG_FILE, "no usable public key to verify it");
  } else if (
    parsed.keyId !== key.keyId ||
    !key.verify(manifestSignedMessage(sha256Hex(manifest)), parsed.signature)
  ) {
    add(
      "signature",
      MANIFEST_FILE,
      "the manifest's signature does not verify with the bundled public key",
    );
  }
}

function lines<T>(
  content: Buffer | undefined,
  type: string,
  file: string,
  valid: (value: Record<string, unknown>) => boolean,
  add: Add,
): T[] | undefined {
  if (content === undefined) return undefined; // reported by the checksum check
  const parsed = parseExcerptLines<T>(content.toString("utf8"), type, file, valid);
  if (typeof parsed === "string") {
    add("chain", file, parsed);
    return undefined;
  }
  return parsed;
}

function checkLedgerFacts(
  manifest: BundleManifest,
  entries: readonly LedgerEntry[],
  checkpoints: readonly LedgerCheckpoint[],
  add: Add,
): void {
  const facts = {
    fromSeq: entries[0]?.seq,
    toSeq: entries.at(-1)?.seq,
    entries: entries.length,
    firstPrevHash: entries[0]?.prevHash,
    checkpointSeq: checkpoints.at(-1)?.seq,
  };
  for (const [key, value] of Object.entries(facts)) {
    const stated = manifest.ledger[key as keyof typeof facts];
    if (stated !== value)
      add("manifest", `ledger.${key}`, `the manifest says ${stated}, the excerpt has ${value}`);
  }
}

/** Every evidence file an entry references must be there and hash to its name; returns their paths. */
function checkEvidence(
  entries: readonly LedgerEntry[],
  byPath: ReadonlyMap<string, Buffer>,
  add: Add,
): Set<string> {
  const referenced = new Set<string>();
  for (const entry of entries) {
    const hash = entry.evidenceHash;
    if (hash === undefined) continue;
    const path = evidencePath(hash);
    if (referenced.has(path)) continue;
    referenced.add(path);
    const content = byPath.get(path);
    if (content === undefined)
      add("evidence", path, `entry ${entry.seq} references it; it is not in the bundle`);
    else if (sha256Hex(content) !== hash)
      add(
        "evidence",
        path,
        `entry ${entry.seq} references ${hash}; the document hashes to ${sha256Hex(content)}`,
      );
  }
  return referenced;
}

import type { ArchiveHeader, ArchiveLimits } from "../../ports/snapshot-archive.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";

/** `shipsafe-archive/1`: an uncompressed POSIX tar holding these entries, in this order. */
export const ARCHIVE_FORMAT = "shipsafe-archive/1";
export const HEADER_ENTRY = "shipsafe-archive.json";
export const MANIFEST_ENTRY = "manifest.json";
export const SUMS_ENTRY = "SHA256SUMS";
export const DATA_DIR = "data";
export const METADATA_ENTRIES = [HEADER_ENTRY, MANIFEST_ENTRY, SUMS_ENTRY] as const;

const GiB = 1024 ** 3;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 1_000_000,
  maxTotalBytes: 64 * GiB,
  maxFileBytes: 64 * GiB,
  maxDepth: 32,
  maxPathBytes: 4096,
  maxSegmentBytes: 255,
  maxMetadataBytes: 256 * 1024 ** 2,
};

/** `data/<asset>/<path>`: where a manifest file lives in the archive. */
export function dataEntryName(asset: string, path: string): string {
  return `${DATA_DIR}/${asset}/${path}`;
}

/** Every file of the manifest by entry name, in manifest order. */
export function expectedFiles(
  manifest: SnapshotManifest,
): Map<string, { size: number; sha256: string }> {
  const files = new Map<string, { size: number; sha256: string }>();
  for (const asset of manifest.assets) {
    for (const file of asset.files) {
      files.set(dataEntryName(asset.name, file.path), { size: file.size, sha256: file.sha256 });
    }
  }
  return files;
}

/** `<sha256>  data/<asset>/<path>\n` per file, in manifest order (sha256sum's text format). */
export function formatSums(manifest: SnapshotManifest): string {
  return [...expectedFiles(manifest)].map(([name, f]) => `${f.sha256}  ${name}\n`).join("");
}

/** Parses SHA256SUMS strictly; returns the problem as text. */
export function parseSums(text: string): Map<string, string> | string {
  const sums = new Map<string, string>();
  if (text !== "" && !text.endsWith("\n")) return "does not end with a newline";
  for (const [i, line] of text.split("\n").slice(0, -1).entries()) {
    const [, sha256, name] = /^([0-9a-f]{64}) {2}(.+)$/.exec(line) ?? [];
    if (sha256 === undefined || name === undefined) {
      return `line ${i + 1} is not "<sha256>  <name>"`;
    }
    if (sums.has(name)) return `line ${i + 1} lists ${name} a second time`;
    sums.set(name, sha256);
  }
  return sums;
}

/** Parses shipsafe-archive.json; returns the problem as text. */
export function parseHeader(text: string): ArchiveHeader | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  const h = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (h.format !== ARCHIVE_FORMAT)
    return `format is ${JSON.stringify(h.format)}, not ${ARCHIVE_FORMAT}`;
  for (const key of ["createdAt", "snapshotId", "manifestHash"]) {
    if (typeof h[key] !== "string") return `${key} is not a string`;
  }
  const s = (typeof h.signature === "object" && h.signature !== null ? h.signature : {}) as Record<
    string,
    unknown
  >;
  for (const key of ["keyId", "publicKeyPem", "sig"]) {
    if (typeof s[key] !== "string") return `signature.${key} is not a string`;
  }
  return value as ArchiveHeader;
}

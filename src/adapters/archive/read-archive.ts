import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../domain/errors.js";
import type {
  ArchiveHeader,
  ArchiveLimits,
  ArchiveSummary,
  StagedArchive,
} from "../../ports/snapshot-archive.js";
import { archiveRejected } from "../../ports/snapshot-archive.js";
import type { SnapshotManifest } from "../../ports/snapshot-store.js";
import { parseManifest } from "../snapshots/dir/snapshot-manifest.js";
import {
  DATA_DIR,
  DEFAULT_ARCHIVE_LIMITS,
  expectedFiles,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  METADATA_ENTRIES,
  parseHeader,
  parseSums,
} from "./archive-format.js";
import { checkEntryName, NameRegistry } from "./archive-paths.js";
import { makePrivateDir, StagingWriter } from "./staging-dir.js";
import { TarReader } from "./tar-reader.js";

/**
 * Extracts a shipsafe archive into a fresh private directory under `stagingParent`, enforcing
 * every rule (see docs/snapshots.md) and checking every file against SHA256SUMS and the manifest
 * as it is written. Any failure removes the staging directory and throws ARCHIVE_REJECTED.
 */
export async function readArchive(
  file: string,
  stagingParent: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<StagedArchive> {
  const staging = await makePrivateDir(stagingParent, ".shipsafe-archive-");
  try {
    const summary = await scanArchive(file, limits, staging.dir);
    await new StagingWriter(staging.dir, (entry, detail) =>
      archiveRejected(file, entry, "not-a-directory", detail),
    ).directory(DATA_DIR);
    return { ...summary, dataDir: join(staging.dir, DATA_DIR), discard: staging.discard };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}

/** Checks every entry of an archive like `readArchive`, writing nothing. */
export function inspectArchive(
  file: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveSummary> {
  return scanArchive(file, limits, undefined);
}

async function scanArchive(
  file: string,
  given: Partial<ArchiveLimits>,
  stagingRoot: string | undefined,
): Promise<ArchiveSummary> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...given };
  const handle = await openArchive(file);
  try {
    const tar = new TarReader(handle, file);
    const writer =
      stagingRoot === undefined
        ? undefined
        : new StagingWriter(stagingRoot, (entry, detail) =>
            tar.reject(entry, "not-a-directory", detail),
          );
    const names = new NameRegistry();
    let header: ArchiveHeader | undefined;
    let manifest: SnapshotManifest | undefined;
    let expected = new Map<string, { size: number; sha256: string }>();
    const seen = new Set<string>();
    let entries = 0;
    let total = 0;
    for (let entry = await tar.next(); entry !== undefined; entry = await tar.next()) {
      entries++;
      const fail = (rule: Parameters<TarReader["reject"]>[1], detail: string) =>
        tar.reject(entry?.name ?? "", rule, detail);
      if (entries > limits.maxEntries) {
        throw fail("too-many-entries", `more than ${limits.maxEntries} entries`);
      }
      if (entry.type === "symlink" || entry.type === "hardlink") {
        throw fail("link", `${entry.type} entries are refused`);
      }
      if (entry.type !== "file" && entry.type !== "directory") {
        throw fail("device", `${entry.type} entries are refused`);
      }
      const checked = checkEntryName(entry.name, entry.type === "directory", limits);
      if ("rule" in checked) throw fail(checked.rule, checked.detail);
      const name = checked.name;
      const clash = names.add(name, entry.type === "directory" ? "dir" : "file");
      if (clash) throw fail(clash.rule, clash.detail);

      if (entries <= METADATA_ENTRIES.length) {
        const want = METADATA_ENTRIES[entries - 1];
        if (entry.type !== "file" || name !== want) {
          throw fail("unexpected-entry", `entry ${entries} must be the file ${want}`);
        }
        if (entry.size > limits.maxMetadataBytes) {
          throw fail("entry-too-large", `${entry.size} bytes (limit ${limits.maxMetadataBytes})`);
        }
        const text = (await tar.readAll()).toString("utf8");
        if (name === HEADER_ENTRY) {
          const parsed = parseHeader(text);
          if (typeof parsed === "string") throw fail("bad-metadata", parsed);
          header = parsed;
        } else if (name === MANIFEST_ENTRY) {
          manifest = checkManifest(text, header as ArchiveHeader, limits, fail);
          expected = expectedFiles(manifest);
        } else {
          checkSums(text, expected, fail);
        }
        continue;
      }
      if (name !== DATA_DIR && !name.startsWith(`${DATA_DIR}/`)) {
        throw fail(
          "unexpected-entry",
          `only ${METADATA_ENTRIES.join(", ")} and ${DATA_DIR}/ belong in the archive`,
        );
      }
      if (entry.type === "directory") {
        if (entry.size !== 0)
          throw fail("bad-numeric-field", `a directory with ${entry.size} bytes of data`);
        await writer?.directory(name);
        continue;
      }
      if (entry.size > limits.maxFileBytes) {
        throw fail("entry-too-large", `${entry.size} bytes (limit ${limits.maxFileBytes})`);
      }
      total += entry.size;
      if (total > limits.maxTotalBytes) {
        throw fail("archive-too-large", `data adds up to more than ${limits.maxTotalBytes} bytes`);
      }
      const want = expected.get(name);
      if (want === undefined)
        throw fail("unlisted-entry", "not a file of the manifest and SHA256SUMS");
      if (want.size !== entry.size) {
        throw fail("manifest-mismatch", `${entry.size} bytes, the manifest says ${want.size}`);
      }
      const sha256 = await extract(tar, writer, name);
      if (sha256 !== want.sha256) {
        throw fail(
          "checksum-mismatch",
          `sha256 ${sha256}, SHA256SUMS and the manifest say ${want.sha256}`,
        );
      }
      seen.add(name);
    }
    if (entries < METADATA_ENTRIES.length || header === undefined || manifest === undefined) {
      const missing = METADATA_ENTRIES[Math.min(entries, METADATA_ENTRIES.length - 1)] as string;
      throw tar.reject(missing, "missing-entry", "the archive ends before its metadata");
    }
    const missing = [...expected.keys()].find((name) => !seen.has(name));
    if (missing !== undefined) {
      throw tar.reject(missing, "missing-entry", "listed in the manifest, absent from the archive");
    }
    return { header, manifest, sha256: tar.digest(), bytes: tar.position, entries };
  } finally {
    await handle.close();
  }
}

type Fail = (rule: Parameters<TarReader["reject"]>[1], detail: string) => ShipsafeError;

function checkManifest(
  text: string,
  header: ArchiveHeader,
  limits: ArchiveLimits,
  fail: Fail,
): SnapshotManifest {
  const { manifest, problems } = parseManifest(text);
  if (manifest === undefined || problems.length > 0)
    throw fail("bad-metadata", problems.join("; "));
  if (manifest.id !== header.snapshotId || manifest.manifestHash !== header.manifestHash) {
    throw fail(
      "manifest-mismatch",
      `manifest ${manifest.id} (${manifest.manifestHash}) is not the one ${HEADER_ENTRY} names (${header.snapshotId}, ${header.manifestHash})`,
    );
  }
  const files = manifest.assets.reduce((n, a) => n + a.files.length, 0);
  if (expectedFiles(manifest).size !== files)
    throw fail("manifest-mismatch", "a file is listed twice");
  if (manifest.size > limits.maxTotalBytes) {
    throw fail(
      "archive-too-large",
      `the manifest lists ${manifest.size} bytes (limit ${limits.maxTotalBytes})`,
    );
  }
  return manifest;
}

function checkSums(
  text: string,
  expected: Map<string, { size: number; sha256: string }>,
  fail: Fail,
): void {
  const sums = parseSums(text);
  if (typeof sums === "string") throw fail("bad-metadata", sums);
  for (const [name, sha256] of sums) {
    const want = expected.get(name);
    if (want === undefined)
      throw fail("manifest-mismatch", `lists ${name}, which the manifest does not`);
    if (want.sha256 !== sha256) {
      throw fail(
        "manifest-mismatch",
        `${name}: sha256 ${sha256}, the manifest says ${want.sha256}`,
      );
    }
  }
  const unlisted = [...expected.keys()].find((name) => !sums.has(name));
  if (unlisted !== undefined) throw fail("manifest-mismatch", `does not list ${unlisted}`);
}

/** Streams the current entry into the staging file (if any), returning its sha256. */
async function extract(
  tar: TarReader,
  writer: StagingWriter | undefined,
  name: string,
): Promise<string> {
  const hash = createHash("sha256");
  const out = writer ? await writer.file(name) : undefined;
  try {
    for await (const chunk of tar.body()) {
      hash.update(chunk);
      if (out) await writeAll(out, chunk);
    }
  } finally {
    await out?.close();
  }
  return hash.digest("hex");
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let at = 0;
  while (at < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
    at += bytesWritten;
  }
}

async function openArchive(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (cause) {
    throw notReadable(file, (cause as NodeJS.ErrnoException).code ?? "unreadable", cause);
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw notReadable(file, "not a regular file");
  }
  return handle;
}

function notReadable(file: string, why: string, cause?: unknown): ShipsafeError {
  return new ShipsafeError(
    {
      code: "ARCHIVE_NOT_FOUND",
      kind: "usage",
      message: `cannot read the archive ${file}: ${why}`,
      hint: "pass the path of a file written by shipsafe snapshot export",
    },
    { cause },
  );
}

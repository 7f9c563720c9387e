import { randomBytes } from "node:crypto";
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Progress } from "../../../ports/progress.js";
import type { ReleaseCheck, ReleaseInfo } from "../../../ports/target.js";
import { copyDirectory } from "./copy-directory.js";
import { extractTarball, isTarball } from "./extract-tarball.js";
import { gitCommitOf } from "./git-commit.js";
import {
  listChecksum,
  MANIFEST_NAME,
  type ReleaseFile,
  type ReleaseManifest,
  readManifest,
  releaseInfo,
} from "./release-manifest.js";
import { assertReleaseVersion, isReleaseVersion } from "./release-version.js";
import { containmentProblems, type ScannedEntry, scanTree } from "./scan-tree.js";
import { targetErrors } from "./target-errors.js";

/** Immutable, checksummed releases in `<root>/releases/<version>/`. */
export interface ReleaseStore {
  add(version: string, from: string, progress: Progress): Promise<ReleaseInfo>;
  list(): Promise<ReleaseInfo[]>;
  get(version: string): Promise<ReleaseInfo | undefined>;
  verify(version: string): Promise<ReleaseCheck>;
}

export function createReleaseStore(root: string, now: () => Date): ReleaseStore {
  const releasesDir = join(root, "releases");
  const dirOf = (version: string) => join(releasesDir, version);

  const list = async (): Promise<ReleaseInfo[]> => {
    let names: string[];
    try {
      names = await readdir(releasesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const infos: ReleaseInfo[] = [];
    for (const name of names) {
      if (!isReleaseVersion(name)) continue; // .tmp-* staging directories and foreign files
      const manifest = await readManifest(dirOf(name));
      if (manifest) infos.push(releaseInfo(manifest, dirOf(name)));
    }
    return infos.sort(
      (a, b) => a.addedAt.localeCompare(b.addedAt) || a.version.localeCompare(b.version),
    );
  };

  const unknown = async (version: string) =>
    targetErrors.versionUnknown(
      version,
      (await list()).map((info) => info.version),
    );

  return {
    list,

    async get(version) {
      if (!isReleaseVersion(version)) return undefined;
      const manifest = await readManifest(dirOf(version));
      return manifest && releaseInfo(manifest, dirOf(version));
    },

    async verify(version) {
      const manifest = isReleaseVersion(version) ? await readManifest(dirOf(version)) : undefined;
      if (!manifest) throw await unknown(version);
      const problems = compare(manifest, await scanTree(dirOf(version)));
      return { version, ok: problems.length === 0, problems };
    },

    async add(version, from, progress) {
      assertReleaseVersion(version);
      const source = resolve(from);
      const sourceStat = await stat(source).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR")
          throw targetErrors.sourceNotFound(from);
        throw error;
      });
      const isDir = sourceStat.isDirectory();
      if (!isDir && !(sourceStat.isFile() && isTarball(source))) {
        throw targetErrors.sourceUnsupported(from);
      }
      await mkdir(releasesDir, { recursive: true });
      const stage = join(releasesDir, `.tmp-${randomBytes(8).toString("hex")}`);
      await mkdir(stage, { mode: 0o755 });
      try {
        progress.report({ type: "step-started", step: isDir ? "copy" : "extract", detail: from });
        let gitCommit: string | undefined;
        if (isDir) {
          const realSource = await realpath(source);
          const refused = await copyDirectory(realSource, stage, [await realpath(root)]);
          if (refused.length > 0) throw targetErrors.sourceUnsafe(from, refused);
          gitCommit = await gitCommitOf(realSource);
        } else {
          // Extract a private copy, so the archive cannot change between the safety listing and extraction.
          const archive = `${stage}.tar.gz`;
          try {
            await copyFile(source, archive);
            await extractTarball(archive, stage, from);
          } finally {
            await rm(archive, { force: true });
          }
        }
        await rm(join(stage, MANIFEST_NAME), { recursive: true, force: true });
        progress.report({
          type: "step-finished",
          step: isDir ? "copy" : "extract",
          status: "succeeded",
        });

        progress.report({ type: "step-started", step: "checksum", detail: version });
        const entries = await scanTree(stage, byteCounter(progress));
        const unsafe = await containmentProblems(stage, entries);
        if (unsafe.length > 0) throw targetErrors.sourceUnsafe(from, unsafe);
        const files = entries.map(toReleaseFile);
        const manifest: ReleaseManifest = {
          version,
          addedAt: now().toISOString(),
          checksum: listChecksum(files),
          files,
          ...(gitCommit === undefined ? {} : { gitCommit }),
        };
        progress.report({
          type: "step-finished",
          step: "checksum",
          status: "succeeded",
          detail: manifest.checksum,
        });

        const existing = await sameOrRefuse(version, manifest.checksum);
        if (existing) return existing;
        await writeFile(join(stage, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, {
          mode: 0o444,
        });
        await makeReadOnly(stage, entries);
        try {
          await rename(stage, dirOf(version));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
          // Another run added the same version meanwhile.
          const raced = await sameOrRefuse(version, manifest.checksum);
          if (raced) return raced;
          throw error;
        }
        return releaseInfo(manifest, dirOf(version));
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    },
  };

  /** The stored release when `version` exists with this checksum; RELEASE_EXISTS when it differs. */
  async function sameOrRefuse(version: string, checksum: string): Promise<ReleaseInfo | undefined> {
    const dir = dirOf(version);
    const manifest = await readManifest(dir);
    if (manifest?.checksum === checksum) return releaseInfo(manifest, dir);
    const present =
      manifest !== undefined ||
      (await stat(dir).then(
        () => true,
        () => false,
      ));
    if (present) throw targetErrors.exists(version, manifest?.checksum, checksum);
    return undefined;
  }
}

function toReleaseFile(entry: ScannedEntry): ReleaseFile {
  const file = { path: entry.path, size: entry.size, sha256: entry.sha256 };
  return entry.link === undefined ? file : { ...file, link: entry.link };
}

/** Drops every write bit (keeping read and execute) so a stored release cannot drift by accident. */
async function makeReadOnly(dir: string, entries: readonly ScannedEntry[]): Promise<void> {
  for (const entry of entries) {
    if (entry.kind === "file") await chmod(join(dir, ...entry.path.split("/")), entry.mode & 0o555);
  }
}

/** What differs between a manifest and a fresh scan of its directory. */
function compare(manifest: ReleaseManifest, scanned: readonly ScannedEntry[]): string[] {
  const problems: string[] = [];
  if (listChecksum(manifest.files) !== manifest.checksum) {
    problems.push(`manifest: ${MANIFEST_NAME} does not match its own checksum`);
  }
  const actual = new Map(scanned.map((entry) => [entry.path, entry]));
  for (const file of manifest.files) {
    const entry = actual.get(file.path);
    actual.delete(file.path);
    if (!entry) problems.push(`missing: ${file.path}`);
    else if (
      entry.sha256 !== file.sha256 ||
      entry.size !== file.size ||
      entry.link !== file.link ||
      (entry.kind === "symlink") !== (file.link !== undefined)
    ) {
      problems.push(`modified: ${file.path}`);
    } else if (entry.kind === "file" && (entry.mode & 0o222) !== 0) {
      problems.push(`writable: ${file.path}`);
    }
  }
  for (const path of actual.keys()) problems.push(`extra: ${path}`);
  return problems;
}

/** Reports hashing progress at most once per MiB. */
function byteCounter(progress: Progress): (bytes: number) => void {
  let done = 0;
  let reported = 0;
  return (bytes) => {
    done += bytes;
    if (done - reported >= 1024 * 1024) {
      reported = done;
      progress.report({ type: "bytes", step: "checksum", done });
    }
  };
}

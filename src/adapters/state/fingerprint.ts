import { createHash } from "node:crypto";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** File times of a whole second or millisecond: the file system's clock may be that coarse. */
const COARSE_RACY_WINDOW_MS = 2_000;
/**
 * File times with sub-millisecond digits come from the kernel's tick-based clock (ext4, xfs, tmpfs:
 * a few milliseconds): two writes a tick apart already get different times.
 */
const FINE_RACY_WINDOW_MS = 100;

/**
 * A fingerprint of files from their metadata only: path, type, size, mode, inode and change/modify
 * times in nanoseconds. Any write to a file changes its mtime, so equal fingerprints mean the
 * content did not change (the rule restic uses to skip unchanged files). The ctime also catches
 * tools that restore an old mtime; it is left out where a reader touches it (SQLite's WAL).
 */
export async function metadataFingerprint(
  paths: readonly string[],
  options: { ctime: boolean } = { ctime: true },
): Promise<string | undefined> {
  const hash = createHash("sha256");
  // File times come from a coarse clock: a file modified within the last moments may be modified
  // again without its time changing ("racy" in git's words). Such a file gets no fingerprint, so
  // the asset is captured again rather than trusted.
  const nowMs = BigInt(Date.now());
  let newestNs = 0n;
  let coarse = false;
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!st) {
      hash.update(`${path}|missing\n`);
      return;
    }
    hash.update(
      `${path}|${st.isDirectory() ? "d" : st.isFile() ? "f" : "o"}|${st.size}|${st.mode}|${st.ino}|${st.mtimeNs}|${options.ctime ? st.ctimeNs : ""}\n`,
    );
    for (const ns of options.ctime ? [st.mtimeNs, st.ctimeNs] : [st.mtimeNs]) {
      if (ns > newestNs) newestNs = ns;
      if (ns % 1_000_000n === 0n) coarse = true;
    }
    if (st.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(join(path, name));
    }
  };
  for (const path of paths) await visit(path);
  const window = BigInt(coarse ? COARSE_RACY_WINDOW_MS : FINE_RACY_WINDOW_MS);
  const racy = newestNs >= (nowMs - window) * 1_000_000n;
  return racy ? undefined : hash.digest("hex");
}

/** Bytes of the regular files at `paths` (directories walked), from metadata only; 0 if missing. */
export async function liveBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile()) total += st.size;
    if (st?.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    }
  };
  for (const path of paths) await visit(path);
  return total;
}

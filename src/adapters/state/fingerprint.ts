import { createHash } from "node:crypto";
import type { BigIntStats, Stats } from "node:fs";
import { lstatSync, readdirSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** File times of a whole second or millisecond: the file system's clock may be that coarse. */
const COARSE_RACY_WINDOW_MS = 2_000;
/**
 * File times with sub-millisecond digits come from the kernel's tick-based clock (ext4, xfs, tmpfs:
 * a few milliseconds): two writes a tick apart already get different times.
 */
const FINE_RACY_WINDOW_MS = 100;

/** Waiting out a fine clock's racy window costs at most this, once or twice per snapshot. */
const MAX_WAITS = 2;

/**
 * A directory's entries are lstat'ed this many at a time: one by one, 2,000 files took ~120 ms of
 * round trips to the thread pool, twice per snapshot of unchanged files (size, then fingerprint).
 */
const LSTAT_BATCH = 64;

/** lstat of each path, `LSTAT_BATCH` at a time; undefined where a path is gone. */
async function lstatEach(paths: readonly string[]): Promise<(Stats | undefined)[]>;
async function lstatEach(
  paths: readonly string[],
  bigint: true,
): Promise<(BigIntStats | undefined)[]>;
async function lstatEach(
  paths: readonly string[],
  bigint = false,
): Promise<(Stats | BigIntStats | undefined)[]> {
  const out: (Stats | BigIntStats | undefined)[] = [];
  for (let i = 0; i < paths.length; i += LSTAT_BATCH) {
    const batch = paths.slice(i, i + LSTAT_BATCH);
    out.push(...(await Promise.all(batch.map((p) => lstat(p, { bigint }).catch(() => undefined)))));
  }
  return out;
}

/**
 * A fingerprint of files from their metadata only: path, type, size, mode, inode and change/modify
 * times in nanoseconds. Any write to a file changes its mtime, so equal fingerprints mean the
 * content did not change (the rule restic uses to skip unchanged files). The ctime also catches
 * tools that restore an old mtime; it is left out where a reader touches it (SQLite's WAL).
 *
 * File times come from a coarse clock: a file modified within the last moments may be modified
 * again without its time changing ("racy" in git's words), so such a file gets no fingerprint and
 * the asset is captured again rather than trusted. On a fine clock (a window of 100 ms) the racy
 * moment is waited out instead, so a snapshot taken right after a write still records a
 * fingerprint the next snapshot can reuse; a write meanwhile starts the wait again (twice at most).
 */
export async function metadataFingerprint(
  paths: readonly string[],
  options: FingerprintOptions = { ctime: true },
): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const read = await readFingerprint(paths, options);
    if (read.racyForMs <= 0) return read.fingerprint;
    if (read.coarse || attempt >= (options.maxWaits ?? MAX_WAITS)) return undefined;
    await new Promise((resolve) => setTimeout(resolve, read.racyForMs + 1));
  }
}

export interface FingerprintOptions {
  /** Include change times (left out where a reader touches them). */
  readonly ctime: boolean;
  /**
   * Paths whose empty file means the same as no file (a SQLite `-wal` after a truncating
   * checkpoint, which the next connection may delete or create again without any write).
   */
  readonly emptyIsAbsent?: readonly string[];
  /** How often to wait out a racy moment before giving up (default 2; 0 while holding a lock). */
  readonly maxWaits?: number | undefined;
}

/** What one pass over the files adds up: the hash of their lines and their newest time. */
class FingerprintPass {
  readonly #hash = createHash("sha256");
  #newestNs = 0n;
  #coarse = false;
  constructor(readonly options: FingerprintOptions) {}

  /** Adds one path's line; true when it is a directory whose entries come next. */
  add(path: string, st: BigIntStats | undefined): boolean {
    const { ctime, emptyIsAbsent } = this.options;
    if (!st || (st.size === 0n && st.isFile() && emptyIsAbsent?.includes(path))) {
      this.#hash.update(`${path}|missing\n`);
      return false;
    }
    this.#hash.update(
      `${path}|${st.isDirectory() ? "d" : st.isFile() ? "f" : "o"}|${st.size}|${st.mode}|${st.ino}|${st.mtimeNs}|${ctime ? st.ctimeNs : ""}\n`,
    );
    for (const ns of ctime ? [st.mtimeNs, st.ctimeNs] : [st.mtimeNs]) {
      if (ns > this.#newestNs) this.#newestNs = ns;
      if (ns % 1_000_000n === 0n) this.#coarse = true;
    }
    return st.isDirectory();
  }

  /** The fingerprint, and how long it stays racy (<= 0: not racy). */
  result(): { fingerprint: string; racyForMs: number; coarse: boolean } {
    const window = this.#coarse ? COARSE_RACY_WINDOW_MS : FINE_RACY_WINDOW_MS;
    const racyForMs = Number(this.#newestNs / 1_000_000n) + window - Date.now();
    return { fingerprint: this.#hash.digest("hex"), racyForMs, coarse: this.#coarse };
  }
}

/** One pass over the files: the fingerprint, and how long it stays racy (<= 0: not racy). */
async function readFingerprint(
  paths: readonly string[],
  options: FingerprintOptions,
): Promise<{ fingerprint: string; racyForMs: number; coarse: boolean }> {
  const pass = new FingerprintPass(options);
  // Depth first, each directory's entries in sorted order; their lstats are taken in batches.
  const visit = async (path: string, st: BigIntStats | undefined): Promise<void> => {
    if (!pass.add(path, st)) return;
    const children = (await readdir(path)).sort().map((name) => join(path, name));
    const stats = await lstatEach(children, true);
    for (const [i, child] of children.entries()) await visit(child, stats[i]);
  };
  const stats = await lstatEach(paths, true);
  for (const [i, path] of paths.entries()) await visit(path, stats[i]);
  return pass.result();
}

/**
 * metadataFingerprint without waiting and without giving the event loop a turn (a racy moment
 * gives undefined): for a caller holding a lock other work must not stretch, such as a SQLite
 * write lock (a thread pool queued with other lstats held one for 1.4 s). Equal to
 * metadataFingerprint's result for the same files.
 */
export function metadataFingerprintNow(
  paths: readonly string[],
  options: FingerprintOptions = { ctime: true },
): string | undefined {
  const pass = new FingerprintPass(options);
  const statOf = (path: string) => {
    try {
      return lstatSync(path, { bigint: true });
    } catch {
      return undefined;
    }
  };
  const visit = (path: string, st: BigIntStats | undefined): void => {
    if (!pass.add(path, st)) return;
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      visit(child, statOf(child));
    }
  };
  for (const path of paths) visit(path, statOf(path));
  const read = pass.result();
  return read.racyForMs <= 0 ? read.fingerprint : undefined;
}

/** Bytes of the regular files at `paths` (directories walked), from metadata only; 0 if missing. */
export async function liveBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  const visit = async (path: string, st: Stats | undefined): Promise<void> => {
    if (st?.isFile()) total += st.size;
    if (st?.isDirectory()) {
      const children = (await readdir(path)).map((name) => join(path, name));
      const stats = await lstatEach(children);
      for (const [i, child] of children.entries()) await visit(child, stats[i]);
    }
  };
  const stats = await lstatEach(paths);
  for (const [i, path] of paths.entries()) await visit(path, stats[i]);
  return total;
}

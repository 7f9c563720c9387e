import { lstat, mkdir, readdir, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateAsset } from "../../../ports/state-asset.js";
import { PID_FILE, pidFileText, removeIfStale, TMP_PREFIX } from "../dir/stale-tmp.js";

/** Room kept free on the RAM file system beyond twice the expected copy. */
const RAM_MARGIN_BYTES = 256 * 1024 * 1024;

/**
 * Where plain copies of assets live while a snapshot is stored or restored: a private directory
 * per run, removed when the run ends. On a RAM file system (such as /dev/shm) when it has room
 * for twice the expected bytes: copies that never touch the disk cost no write-out, and the packs'
 * fsyncs do not wait behind them (measured in docs/performance.md). Otherwise under the store.
 */
export class Staging {
  readonly #diskRoot: string;
  readonly #ramRoot: string | undefined;

  constructor(diskRoot: string, ramDir: string | undefined) {
    this.#diskRoot = diskRoot;
    this.#ramRoot =
      ramDir === undefined ? undefined : join(ramDir, `shipsafe-${process.getuid?.() ?? 0}`);
  }

  /** Runs `body` with a fresh private directory sized for about `expectedBytes`. */
  async run<T>(expectedBytes: number | undefined, body: (dir: string) => Promise<T>): Promise<T> {
    const root = (await this.#ramRootWithRoom(expectedBytes)) ?? this.#diskRoot;
    const dir = join(
      root,
      `${TMP_PREFIX}${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`,
    );
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      // Names the creator, so collectGarbage can tell a killed run's copy from a running one.
      await writeFile(join(dir, PID_FILE), pidFileText(), { mode: 0o600 });
      return await body(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes what killed runs left (an hour old, their creator gone). */
  async removeStale(now: Date): Promise<void> {
    for (const root of [this.#diskRoot, this.#ramRoot]) {
      if (root === undefined) continue;
      for (const name of await readdir(root).catch(() => [] as string[])) {
        if (name.startsWith(TMP_PREFIX)) await removeIfStale(join(root, name), now);
      }
    }
  }

  async #ramRootWithRoom(expectedBytes: number | undefined): Promise<string | undefined> {
    const root = this.#ramRoot;
    if (root === undefined || expectedBytes === undefined) return undefined;
    try {
      const fs = await statfs(join(root, ".."));
      if (fs.bavail * fs.bsize < expectedBytes * 2 + RAM_MARGIN_BYTES) return undefined;
      await mkdir(root, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      // A shared directory: use ours only if it is a real directory, ours alone.
      const info = await lstat(root);
      const mine = info.uid === (process.getuid?.() ?? info.uid);
      if (!info.isDirectory() || !mine || (info.mode & 0o077) !== 0) return undefined;
      return root;
    } catch {
      return undefined;
    }
  }
}

/** About how many bytes capturing `assets` copies; undefined when an asset cannot tell. */
export async function expectedBytes(assets: readonly StateAsset[]): Promise<number | undefined> {
  let total = 0;
  for (const asset of assets) {
    const size = await asset.size?.().catch(() => undefined);
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

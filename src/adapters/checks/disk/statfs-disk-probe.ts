import { lstat, readdir, statfs } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { AssetSize } from "../../../domain/gate/evaluate-disk-space.js";
import type { DiskProbe } from "../../../ports/check-probes.js";

/** Where a protected asset lives on this machine; `paths` undefined: not measurable from files. */
export interface AssetLocation {
  readonly name: string;
  readonly paths: readonly string[] | undefined;
}

/** Sizes state from its files (lstat, symlinks not followed) and free space with fs.statfs. */
export function createStatfsDiskProbe(options: {
  readonly baseDir: string;
  readonly stateDir: string;
  readonly assets: readonly AssetLocation[];
}): DiskProbe {
  return {
    async stateSizes(): Promise<AssetSize[]> {
      return Promise.all(
        options.assets.map(async (asset) => ({
          name: asset.name,
          bytes:
            asset.paths === undefined
              ? undefined
              : await sumSizes(asset.paths.map((p) => resolve(options.baseDir, p))),
        })),
      );
    },
    async freeSpace(path) {
      const target = path === undefined ? options.stateDir : resolve(options.baseDir, path);
      // The state dir may not exist before the first run: measure the nearest existing parent.
      const existing = await nearestExisting(target);
      const stats = await statfs(existing);
      return { path: target, availableBytes: Number(stats.bavail) * Number(stats.bsize) };
    },
  } satisfies DiskProbe;
}

async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    const exists = await lstat(current).then(
      () => true,
      () => false,
    );
    if (exists) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Total bytes of files under the paths; a missing path (state not created yet) counts 0. */
async function sumSizes(paths: readonly string[]): Promise<number> {
  let total = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of await readdir(path)) await visit(join(path, entry));
    } else if (info.isFile()) {
      total += info.size;
    }
  };
  for (const path of paths) await visit(path);
  return total;
}

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import { type Clock, systemClock } from "../../../ports/clock.js";
import { type Progress, silentProgress } from "../../../ports/progress.js";
import type { SnapshotManifest, SnapshotStore } from "../../../ports/snapshot-store.js";
import type { AssetManifest, StateAsset } from "../../../ports/state-asset.js";
import {
  assertDigest,
  copyHashed,
  syncDir,
  withFileDigests,
} from "../../state/files/durable-copy.js";
import { resolveInside } from "../../state/files/file-tree.js";
import { newSnapshotId, SNAPSHOT_ID } from "./snapshot-id.js";
import { MANIFEST_FILE, manifestHashOf, parseManifest } from "./snapshot-manifest.js";
import { PID_FILE, pidFileText, removeIfStale, TMP_PREFIX } from "./stale-tmp.js";
import { verifySnapshotDir } from "./verify-snapshot-dir.js";

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Snapshots as plain directories: `<stateDir>/snapshots/<id>/<asset>/...` plus `manifest.json`.
 * Each is built in `.tmp-<id>/`, fsynced and renamed into place, so it is visible only when
 * complete; a process killed mid-way leaves a `.tmp-*` directory that `list` ignores and later
 * removes.
 */
export async function openDirSnapshotStore(
  stateDir: string,
  options: { clock?: Clock } = {},
): Promise<SnapshotStore> {
  const clock = options.clock ?? systemClock;
  const root = join(stateDir, "snapshots");
  await mkdir(root, { recursive: true, mode: 0o700 });

  const read = async (id: string): Promise<SnapshotManifest | undefined> => {
    if (!SNAPSHOT_ID.test(id)) return undefined;
    let text: string;
    try {
      text = await readFile(join(root, id, MANIFEST_FILE), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw error;
    }
    const { manifest, problems } = parseManifest(text);
    return manifest !== undefined && problems.length === 0 && manifest.id === id
      ? manifest
      : undefined;
  };

  const list: SnapshotStore["list"] = async (filter = {}) => {
    const now = clock.now();
    const manifests: SnapshotManifest[] = [];
    for (const name of await readdir(root)) {
      if (name.startsWith(TMP_PREFIX)) {
        await removeIfStale(join(root, name), now);
        continue;
      }
      const manifest = await read(name);
      if (manifest === undefined) continue;
      if (filter.env !== undefined && manifest.env !== filter.env) continue;
      manifests.push(manifest);
    }
    return manifests.sort(
      (a, b) => compareDesc(a.createdAt, b.createdAt) || compareDesc(a.id, b.id),
    );
  };

  /** Verifies snapshot `id` and returns its manifest; throws when unknown or damaged. */
  const verified = async (id: string): Promise<SnapshotManifest> => {
    const result = await verify(id);
    if (!result.ok) {
      throw new ShipsafeError({
        code: "SNAPSHOT_CORRUPT",
        kind: "runtime",
        message: `snapshot ${id} failed verification: ${result.problems.join("; ")}`,
        hint: "nothing was restored; restore from another snapshot (list them with their verification status)",
      });
    }
    const manifest = await read(id);
    if (manifest === undefined) throw await unknown(id);
    return manifest;
  };

  const verify: SnapshotStore["verify"] = async (id) => {
    if (!SNAPSHOT_ID.test(id) || !(await isDir(join(root, id)))) throw await unknown(id);
    return verifySnapshotDir(join(root, id), id);
  };

  const unknown = async (id: string): Promise<ShipsafeError> => {
    const newest = (await list()).slice(0, 5).map((m) => m.id);
    return new ShipsafeError({
      code: "SNAPSHOT_UNKNOWN",
      kind: "usage",
      message: `no snapshot ${JSON.stringify(id)} in ${root}`,
      hint:
        newest.length === 0
          ? "there are no snapshots yet; take one first"
          : `the newest snapshots are ${newest.join(", ")}`,
    });
  };

  return {
    async create(meta, assets, progress = silentProgress) {
      checkAssetNames(assets);
      const createdAt = clock.now();
      const id = newSnapshotId(createdAt);
      const tmp = join(root, `${TMP_PREFIX}${id}`);
      await mkdir(tmp, { mode: 0o700 });
      try {
        await writeFile(join(tmp, PID_FILE), pidFileText());
        const captured: AssetManifest[] = [];
        for (const asset of assets) {
          captured.push(await captureAsset(asset, join(tmp, asset.name), progress));
        }
        const body = {
          id,
          env: meta.env,
          service: meta.service,
          createdAt: createdAt.toISOString(),
          reason: meta.reason,
          assets: captured,
          size: captured.reduce((sum, asset) => sum + asset.size, 0),
        };
        const manifest: SnapshotManifest = { ...body, manifestHash: manifestHashOf(body) };
        await writeSynced(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        await rm(join(tmp, PID_FILE));
        await syncDir(tmp);
        await rename(tmp, join(root, id));
        await syncDir(root);
        return manifest;
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        throw error;
      }
    },

    list,
    get: read,
    verify,

    async restore(id, assets, progress = silentProgress) {
      const manifest = await verified(id);
      const pairs = matchAssets(manifest, assets);
      for (const [asset, assetManifest] of pairs) {
        const step = `restore ${asset.name}`;
        progress.report({ type: "step-started", step, detail: asset.kind });
        try {
          await asset.restore(join(root, id, asset.name), assetManifest);
        } catch (error) {
          progress.report({ type: "step-finished", step, status: "failed" });
          throw error;
        }
        progress.report({
          type: "bytes",
          step,
          done: assetManifest.size,
          total: assetManifest.size,
        });
        progress.report({ type: "step-finished", step, status: "succeeded" });
      }
      for (const asset of assets) {
        if (pairs.some(([restored]) => restored === asset)) continue;
        const step = `restore ${asset.name}`;
        progress.report({ type: "step-finished", step, status: "skipped", detail: `not in ${id}` });
      }
    },

    async materialize(id, dir) {
      const manifest = await verified(id);
      for (const asset of manifest.assets) {
        for (const file of asset.files) {
          const to = resolveInside(join(dir, asset.name), file.path);
          await mkdir(dirname(to), { recursive: true, mode: 0o700 });
          const from = resolveInside(join(root, id, asset.name), file.path);
          assertDigest(from, await copyHashed(from, to), file);
        }
      }
      return manifest;
    },

    async remove(id) {
      await rm(join(root, id), { recursive: true, force: true });
    },
    // Each snapshot owns its files: removing it frees them, there is nothing shared to collect.
    collectGarbage: async () => ({ bytesFreed: 0 }),
    async adopt(manifest, dir) {
      checkAdoptable(manifest);
      const existing = await read(manifest.id);
      if (existing) return sameOrRefuse(existing, manifest);
      const tmp = join(root, `${TMP_PREFIX}${manifest.id}-${randomBytes(4).toString("hex")}`);
      await mkdir(tmp, { mode: 0o700 });
      try {
        await writeFile(join(tmp, PID_FILE), pidFileText());
        for (const asset of manifest.assets) {
          await mkdir(join(tmp, asset.name), { mode: 0o700 });
          for (const file of asset.files) {
            const to = resolveInside(join(tmp, asset.name), file.path);
            await mkdir(dirname(to), { recursive: true, mode: 0o700 });
            const from = resolveInside(join(dir, asset.name), file.path);
            assertDigest(from, await copyHashed(from, to), file);
          }
          await syncFiles(join(tmp, asset.name), asset);
        }
        await writeSynced(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        await rm(join(tmp, PID_FILE));
        await syncDir(tmp);
        try {
          await rename(tmp, join(root, manifest.id));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
          // Adopted concurrently by another process: same snapshot, or a conflict.
          const raced = await read(manifest.id);
          if (!raced) throw error;
          await rm(tmp, { recursive: true, force: true });
          return sameOrRefuse(raced, manifest);
        }
        await syncDir(root);
        return manifest;
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        throw error;
      }
    },

    /** One report per asset of the snapshot, in the manifest's order. */
    async restoreInto(id, assets, sandboxDir) {
      const manifest = await verified(id);
      const reports = [];
      for (const [asset, assetManifest] of matchAssets(manifest, assets)) {
        const dir = join(root, id, asset.name);
        const target = join(sandboxDir, asset.name);
        await mkdir(target, { recursive: true, mode: 0o700 });
        reports.push(await asset.restoreInto(dir, assetManifest, target));
      }
      return reports;
    },
  };
}

async function captureAsset(
  asset: StateAsset,
  dir: string,
  progress: Progress,
): Promise<AssetManifest> {
  const step = `snapshot ${asset.name}`;
  progress.report({ type: "step-started", step, detail: asset.kind });
  try {
    await mkdir(dir, { mode: 0o700 });
    const manifest = await withFileDigests(dir, await asset.capture(dir));
    if (manifest.name !== asset.name || manifest.kind !== asset.kind) {
      throw new Error(
        `asset ${asset.name} returned a manifest for ${manifest.kind} ${manifest.name}`,
      );
    }
    await syncFiles(dir, manifest);
    progress.report({ type: "bytes", step, done: manifest.size, total: manifest.size });
    progress.report({
      type: "step-finished",
      step,
      status: "succeeded",
      detail: `${manifest.files.length} files, ${manifest.size} bytes`,
    });
    return manifest;
  } catch (error) {
    progress.report({ type: "step-finished", step, status: "failed" });
    throw error;
  }
}

/** fsyncs every file the asset listed (and the directories holding them), checking its size. */
async function syncFiles(dir: string, manifest: AssetManifest): Promise<void> {
  const dirs = new Set<string>([dir]);
  for (const file of manifest.files) {
    const path = resolveInside(dir, file.path);
    const handle = await open(path, "r");
    try {
      await handle.sync();
      const { size } = await handle.stat();
      if (size !== file.size) {
        throw new Error(
          `asset ${manifest.name} listed ${file.path} as ${file.size} bytes; it has ${size}`,
        );
      }
    } finally {
      await handle.close();
    }
    for (let parent = dirname(path); parent.startsWith(dir); parent = dirname(parent)) {
      dirs.add(parent);
      if (parent === dir) break;
    }
  }
  for (const path of dirs) await syncDir(path);
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A manifest from elsewhere (an archive): a valid id, shape and hash, valid asset names. */
function checkAdoptable(manifest: SnapshotManifest): void {
  const { problems } = parseManifest(JSON.stringify(manifest));
  if (!SNAPSHOT_ID.test(manifest.id))
    problems.push(`id ${JSON.stringify(manifest.id)} is not a snapshot id`);
  const names = manifest.assets.map((a) => a.name);
  if (new Set(names).size !== names.length) problems.push("an asset name is repeated");
  if (problems.length === 0) return;
  throw new ShipsafeError({
    code: "SNAPSHOT_MANIFEST_INVALID",
    kind: "refused",
    message: `cannot adopt snapshot ${manifest.id}: ${problems.join("; ")}`,
    hint: "the manifest was altered or comes from an incompatible shipsafe; export the snapshot again",
  });
}

function sameOrRefuse(existing: SnapshotManifest, incoming: SnapshotManifest): SnapshotManifest {
  if (existing.manifestHash === incoming.manifestHash) return existing;
  throw new ShipsafeError({
    code: "SNAPSHOT_EXISTS",
    kind: "refused",
    message: `snapshot ${incoming.id} already exists with manifest hash ${existing.manifestHash}; the one offered has ${incoming.manifestHash}`,
    hint: "nothing was changed; two different snapshots cannot share an id — inspect both with shipsafe snapshot show and backup verify",
  });
}

function checkAssetNames(assets: readonly StateAsset[]): void {
  const seen = new Set<string>();
  for (const asset of assets) {
    if (!ASSET_NAME.test(asset.name) || seen.has(asset.name)) {
      throw new Error(`state asset name ${JSON.stringify(asset.name)} is invalid or repeated`);
    }
    seen.add(asset.name);
  }
}

/** Pairs each asset of the snapshot with the configured asset of the same name and kind. */
function matchAssets(
  manifest: SnapshotManifest,
  assets: readonly StateAsset[],
): [StateAsset, AssetManifest][] {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const missing = manifest.assets.filter((a) => !byName.has(a.name)).map((a) => a.name);
  if (missing.length > 0) {
    throw new ShipsafeError({
      code: "SNAPSHOT_ASSET_UNKNOWN",
      kind: "config",
      message: `snapshot ${manifest.id} holds ${missing.join(", ")}, which no configured state asset is named (configured: ${[...byName.keys()].join(", ") || "none"})`,
      hint: "add the asset under `state` for this environment in shipsafe.yaml, with the same name and kind",
    });
  }
  return manifest.assets.map((assetManifest) => {
    const asset = byName.get(assetManifest.name) as StateAsset;
    if (asset.kind !== assetManifest.kind) {
      throw new ShipsafeError({
        code: "SNAPSHOT_ASSET_KIND_MISMATCH",
        kind: "config",
        message: `snapshot ${manifest.id} holds ${assetManifest.name} as ${assetManifest.kind}; it is configured as ${asset.kind}`,
        hint: "restore it by hand from a sandbox restore, or give the configured asset another name",
      });
    }
    return [asset, assetManifest];
  });
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

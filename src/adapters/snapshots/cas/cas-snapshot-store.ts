import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { Clock } from "../../../ports/clock.js";
import type { ObjectStore } from "../../../ports/object-store.js";
import type { Progress } from "../../../ports/progress.js";
import type {
  SnapshotManifest,
  SnapshotStore,
  SnapshotVerification,
} from "../../../ports/snapshot-store.js";
import type { AssetManifest, IntegrityReport } from "../../../ports/state-asset.js";
import type { Codec } from "../../codec/codec.js";
import { inlineTaskRunner, type TaskRunner } from "../../codec/task-runner.js";
import { newSnapshotId } from "../dir/snapshot-id.js";
import { manifestHashOf } from "../dir/snapshot-manifest.js";
import { captureAssets } from "./capture-assets.js";
import {
  type ChunkLists,
  manifestIds,
  readAssetList,
  readChunks,
  readListHashes,
  readManifest,
  removeSnapshotDocuments,
  removeUnusedLists,
  writeSnapshotDocuments,
} from "./cas-documents.js";
import { assetUnknown, corrupt } from "./cas-errors.js";
import type { ChunkList } from "./chunk-list.js";
import { type CapturedAsset, capturedInDir, ingestCaptured } from "./ingest-captured.js";
import { materializeFiles } from "./materialize.js";
import { contentCheck, readChunkedFiles, windowRing } from "./read-chunks.js";
import { expectedBytes, Staging } from "./staging.js";

export interface CasSnapshotStoreOptions {
  readonly objects: ObjectStore;
  /** Hashes and compresses chunks (sha256 and zstd by default; see adapters/codec). */
  readonly codec: Codec;
  /**
   * Starts the worker threads one operation (create, verify, restore) hashes, compresses and
   * decodes on; closed when it ends. Without it the work runs on this thread.
   */
  readonly workers?: (() => TaskRunner) | undefined;
  readonly clock?: Clock;
  /**
   * A directory on a RAM file system (such as /dev/shm) for the plain copies made while storing
   * and restoring, used when it has room for them; without it they go under `root/staging`.
   */
  readonly ramStagingDir?: string | undefined;
}

/**
 * Snapshots in a content-addressed store: every captured file is cut into chunks (SQLite at its
 * page size, everything else by content), each chunk stored once under its hash in the object
 * store. Blobs are committed before the manifest is written, so a snapshot is visible only when
 * complete; a run killed mid-way leaves only unreferenced blobs that `prune` collects.
 */
export async function openCasSnapshotStore(
  root: string,
  options: CasSnapshotStoreOptions,
): Promise<SnapshotStore & CasExtras> {
  const snapshotsDir = join(root, "snapshots");
  const stagingDir = join(root, "staging");
  await mkdir(snapshotsDir, { recursive: true, mode: 0o700 });
  await mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const { objects, codec } = options;
  const now = (): Date => options.clock?.now() ?? new Date();

  /** Runs `body` with a task runner for this one operation, closing its workers afterwards. */
  const withRunner = async <T>(body: (runner: TaskRunner) => Promise<T>): Promise<T> => {
    const runner = options.workers?.() ?? inlineTaskRunner(codec);
    try {
      return await body(runner);
    } finally {
      await runner.close();
    }
  };

  const ingest = (
    assets: Iterable<CapturedAsset> | AsyncIterable<CapturedAsset>,
    progress: Progress | undefined,
  ) => withRunner((runner) => ingestCaptured({ objects, runner, codec }, assets, progress));

  const publish = async (
    base: Omit<SnapshotManifest, "manifestHash">,
    lists: ChunkLists,
  ): Promise<SnapshotManifest> => {
    const manifest: SnapshotManifest = {
      ...base,
      manifestHash: manifestHashOf(base),
    };
    await writeSnapshotDocuments(snapshotsDir, manifest, lists);
    return manifest;
  };

  const load = async (
    id: string,
  ): Promise<{ manifest: SnapshotManifest; lists: ChunkLists; problems: string[] }> => {
    const manifest = await readManifest(snapshotsDir, id);
    if (!manifest) throw await unknownSnapshot(id);
    const { manifestHash, ...base } = manifest;
    const problems: string[] =
      manifestHashOf(base) === manifestHash
        ? []
        : ["manifest was modified (manifest hash does not match)"];
    let lists: ChunkLists = {};
    try {
      lists = (await readChunks(snapshotsDir, id)).lists;
    } catch {
      problems.push("chunk list missing or unreadable");
    }
    return { manifest, lists, problems };
  };

  /** Writes every file of a snapshot in plain form under `dir/<asset>/<path>`, checking every hash. */
  const materializeInto = (id: string, dir: string): Promise<SnapshotManifest> =>
    withRunner(async (runner) => {
      const { manifest, lists, problems } = await load(id);
      if (problems.length > 0) throw corrupt(id, problems);
      await materializeFiles({ objects, runner }, manifest, lists, dir);
      return manifest;
    });

  const staging = new Staging(stagingDir, options.ramStagingDir);
  const withStaging = <T>(expectedBytes: number | undefined, body: (dir: string) => Promise<T>) =>
    staging.run(expectedBytes, body);

  /** Every file's chunk list in the store, each read once, with the snapshots that use it. */
  const allLists = async (): Promise<{ refs: ChunkList; snapshots: string[] }[]> => {
    const byHash = new Map<string, string[]>();
    for (const id of await manifestIds(snapshotsDir)) {
      // a snapshot without a readable chunk list references nothing
      const hashes = await readListHashes(snapshotsDir, id).catch(() => ({}));
      for (const hash of Object.values(hashes)) byHash.set(hash, [...(byHash.get(hash) ?? []), id]);
    }
    const out: { refs: ChunkList; snapshots: string[] }[] = [];
    for (const [hash, snapshots] of byHash) {
      const files = await readAssetList(snapshotsDir, hash).catch(() => ({}));
      for (const refs of Object.values(files)) out.push({ refs, snapshots });
    }
    return out;
  };

  const unknownSnapshot = async (id: string): Promise<ShipsafeError> => {
    const recent = (await manifestIds(snapshotsDir)).sort().reverse().slice(0, 5);
    return new ShipsafeError({
      code: "SNAPSHOT_UNKNOWN",
      kind: "usage",
      message: `no snapshot "${id}"${recent.length ? ` (newest: ${recent.join(", ")})` : ""}`,
      hint: "list them with: shipsafe snapshot list",
    });
  };

  /** The newest snapshot copy of `asset` whose recorded fingerprint equals the live one now. */
  const findUnchanged = async (
    env: string,
    asset: { name: string; kind: string },
    fingerprint: string,
  ): Promise<{ manifest: AssetManifest; files: ChunkLists[string] } | undefined> => {
    for (const snapshot of await store.list({ env })) {
      const am = snapshot.assets.find((a) => a.name === asset.name && a.kind === asset.kind);
      if (am?.details.fingerprint !== fingerprint) continue;
      const hash = (await readListHashes(snapshotsDir, snapshot.id).catch(() => undefined))?.[
        asset.name
      ];
      const files = hash
        ? await readAssetList(snapshotsDir, hash).catch(() => undefined)
        : undefined;
      if (files) return { manifest: am, files };
    }
    return undefined;
  };

  const store: SnapshotStore & CasExtras = {
    async create(meta, assets, progress) {
      // A lease for the whole run: prune cannot free chunks this snapshot reuses or adds.
      const lease = await objects.writer();
      try {
        const manifest = await withStaging(await expectedBytes(assets), async (dir) => {
          const id = newSnapshotId(now());
          const capture = captureAssets(
            assets,
            dir,
            {
              unchanged: (asset, fingerprint) => findUnchanged(meta.env, asset, fingerprint),
              // The index is read while the asset is held or captured, not when its first block
              // is looked up (an update's snapshot: 110-150 ms with the codec workers waiting).
              willStore: () => objects.prefetch(),
            },
            progress,
          );
          let ingested: Awaited<ReturnType<typeof ingest>>;
          try {
            ingested = await ingest(capture.fresh, progress);
          } finally {
            // Whatever happened, no live asset stays held.
            await capture.finish();
          }
          const { manifests: captured, reused } = capture;
          const lists = { ...ingested.lists, ...reused };
          // In the order the assets were given; stored ones now carry every file's sha256.
          const assetsOut = captured.map(
            (a) => ingested.assets.find((stored) => stored.name === a.name) ?? a,
          );
          return publish(
            {
              id,
              env: meta.env,
              service: meta.service,
              createdAt: now().toISOString(),
              reason: meta.reason,
              assets: assetsOut,
              size: assetsOut.reduce((sum, a) => sum + a.size, 0),
            },
            lists,
          );
        });
        await lease.commit();
        return manifest;
      } catch (error) {
        await lease.abort();
        throw error;
      }
    },
    async list(filter) {
      const manifests: SnapshotManifest[] = [];
      for (const id of await manifestIds(snapshotsDir)) {
        const manifest = await readManifest(snapshotsDir, id);
        if (manifest && (!filter?.env || manifest.env === filter.env)) manifests.push(manifest);
      }
      return manifests.sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
      );
    },
    get: (id) => readManifest(snapshotsDir, id),
    verify: (id) =>
      withRunner(async (runner): Promise<SnapshotVerification> => {
        const { manifest, lists, problems } = await load(id);
        let ring = windowRing(1); // one set of window buffers for every asset
        for (const asset of manifest.assets) {
          const files = asset.files.flatMap((file) => {
            const refs = lists[asset.name]?.[file.path];
            if (!refs) problems.push(`no chunk list for ${asset.name}/${file.path}`);
            return refs
              ? [{ name: `${asset.name}/${file.path}`, refs, check: contentCheck(file, refs) }]
              : [];
          });
          try {
            const stream = readChunkedFiles(
              objects,
              runner,
              files.map((f) => f.refs),
              1, // nothing is written while a window is held: one ahead keeps the workers busy
              ring,
            );
            for await (const segment of stream) {
              const file = files[segment.file] as (typeof files)[number];
              for (const bad of segment.bad) {
                problems.push(`chunk ${bad.chunk} (${file.name}): ${bad.problem}`);
              }
              file.check.update(segment.bytes);
              const problem = segment.last ? file.check.problem() : undefined;
              if (problem) problems.push(`${file.name} ${problem}`);
            }
          } catch (error) {
            problems.push(
              `${asset.name}: ${error instanceof Error ? error.message : String(error)}`,
            );
            // Decode tasks of the stream that failed may still write into its windows.
            ring = windowRing(1);
          }
        }
        return { id, ok: problems.length === 0, problems };
      }),
    async restore(id, assets, progress) {
      const size = (await readManifest(snapshotsDir, id))?.size;
      await withStaging(size, async (dir) => {
        const manifest = await materializeInto(id, dir);
        for (const am of manifest.assets) {
          const asset = assets.find((a) => a.name === am.name);
          if (!asset) throw assetUnknown(id, am.name);
          progress?.report({ type: "step-started", step: `restore ${am.name}`, detail: am.kind });
          await asset.restore(join(dir, am.name), am);
          progress?.report({
            type: "step-finished",
            step: `restore ${am.name}`,
            status: "succeeded",
          });
        }
      });
    },
    async restoreInto(id, assets, sandboxDir): Promise<IntegrityReport[]> {
      const size = (await readManifest(snapshotsDir, id))?.size;
      return withStaging(size, async (dir) => {
        const manifest = await materializeInto(id, dir);
        const reports: IntegrityReport[] = [];
        for (const am of manifest.assets) {
          const asset = assets.find((a) => a.name === am.name);
          if (!asset) throw assetUnknown(id, am.name);
          reports.push(await asset.restoreInto(join(dir, am.name), am, join(sandboxDir, am.name)));
        }
        return reports;
      });
    },
    materialize: materializeInto,
    async adopt(manifest, dir) {
      const existing = await readManifest(snapshotsDir, manifest.id);
      if (existing) {
        if (existing.manifestHash === manifest.manifestHash) return existing;
        throw new ShipsafeError({
          code: "SNAPSHOT_EXISTS",
          kind: "refused",
          message: `a different snapshot with id ${manifest.id} already exists`,
          hint: "this archive does not match the snapshot of that id here; keep both by importing into another state dir",
        });
      }
      const { lists } = await ingest(
        manifest.assets.map((asset) => capturedInDir(dir, asset)),
        undefined,
      );
      const { manifestHash: _ignored, ...base } = manifest;
      return publish(base, lists);
    },
    async remove(id) {
      await removeSnapshotDocuments(snapshotsDir, id);
    },
    async collectGarbage() {
      // A killed create leaves its plain copy of every asset in staging (removed once its
      // creator is gone and it is an hour old).
      await staging.removeStale(now());
      await removeUnusedLists(snapshotsDir, now());
      // The object store refuses while any writer holds a lease (a snapshot being written).
      const result = await objects.prune(await store.liveChunks());
      return { bytesFreed: result.bytesFreed };
    },
    async liveChunks() {
      const live = new Set<string>();
      for (const { refs } of await allLists()) {
        for (let i = 0; i < refs.count; i++) live.add(refs.idHex(i));
      }
      return live;
    },
    async chunkUsers(chunkId) {
      const users = new Set<string>();
      for (const { refs, snapshots } of await allLists()) {
        if (refs.includes(chunkId)) for (const id of snapshots) users.add(id);
      }
      return [...users].sort();
    },
  };
  return store;
}

/** Operations the CAS store offers beyond the SnapshotStore port. */
export interface CasExtras {
  /** Every chunk id some snapshot references (the live set for garbage collection). */
  liveChunks(): Promise<Set<string>>;
  /** The snapshots whose files use a chunk (to name them when the chunk is damaged). */
  chunkUsers(chunkId: string): Promise<string[]>;
}

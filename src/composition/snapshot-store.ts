import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCodec, defaultCodecOptions } from "../adapters/codec/codec.js";
import { createCodecPool } from "../adapters/codec/codec-pool.js";
import type { TaskRunner } from "../adapters/codec/task-runner.js";
import { openLocalPackStore } from "../adapters/objects/local-packs/local-pack-store.js";
import {
  type CasExtras,
  openCasSnapshotStore,
} from "../adapters/snapshots/cas/cas-snapshot-store.js";
import type { Clock } from "../ports/clock.js";
import type { SnapshotStore } from "../ports/snapshot-store.js";

/**
 * The snapshot store shipsafe uses: content-addressed, its pack files under `root/objects/`,
 * chunks hashed with sha256 and compressed with zstd level 3 (docs/performance.md says why).
 */
export async function openCasSnapshotStoreAt(
  root: string,
  clock?: Clock,
): Promise<SnapshotStore & CasExtras> {
  const objects = await openLocalPackStore(join(root, "objects"));
  const codec = createCodec(defaultCodecOptions);
  return openCasSnapshotStore(root, {
    objects,
    codec,
    workers: codecWorkers(),
    ramStagingDir: existsSync("/dev/shm") ? "/dev/shm" : undefined,
    ...(clock ? { clock } : {}),
  });
}

/**
 * Hashing, compression and decoding run on one worker thread per core (at most 4), beside the
 * main thread's reading and writing. Run from sources (tests) there is no built worker script,
 * and the work stays on the main thread.
 */
function codecWorkers(): (() => TaskRunner) | undefined {
  const workerUrl = new URL("../adapters/codec/codec-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(workerUrl))) return undefined;
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  return () => createCodecPool({ workers, workerUrl, maxInFlightBytes: 32 * 1024 * 1024 });
}

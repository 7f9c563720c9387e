import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Progress } from "../../../ports/progress.js";
import type { AssetManifest, OpenedAsset, StateAsset } from "../../../ports/state-asset.js";
import type { ChunkLists } from "./cas-documents.js";
import { throwDiskFull } from "./cas-errors.js";
import { type CapturedAsset, capturedInDir } from "./ingest-captured.js";

/** An earlier snapshot's copy of an asset whose fingerprint has not changed since. */
export interface UnchangedAsset {
  readonly manifest: AssetManifest;
  readonly files: ChunkLists[string];
}

/** The assets of one snapshot on their way to the store. */
export interface AssetCapture {
  /** Every asset to store, each held or captured while the one before is being stored. */
  readonly fresh: AsyncGenerator<CapturedAsset>;
  /** Every asset's manifest in the order given, reused ones included (complete once `fresh` is). */
  readonly manifests: AssetManifest[];
  /** The chunk lists of the assets reused unchanged. */
  readonly reused: ChunkLists;
  /** Lets go of every asset still held, one opened ahead included; call once storing ends. */
  finish(): Promise<void>;
}

/** What capture asks of the store. */
export interface CaptureHooks {
  /** An earlier copy of the asset with this fingerprint, if the store has one. */
  unchanged(asset: StateAsset, fingerprint: string): Promise<UnchangedAsset | undefined>;
  /** Called when an asset is found to need storing, before it is held or captured. */
  willStore(asset: StateAsset): void;
}

/**
 * Assets taken at once. The first two start together and the one ready first is stored first: a
 * SQLite database under steady writes takes ~0.3-0.45 s to be held (fingerprint, checkpoint under
 * the write lock, row counts), which left both codec workers idle at the start of a full snapshot
 * while the config files could have been stored.
 */
const TAKES_AT_ONCE = 2;

/**
 * Takes each asset: reuses an earlier copy when its fingerprint is unchanged, else holds it for
 * reading in place (`open`), else captures it into `dir/<asset>/`. Up to TAKES_AT_ONCE assets are
 * taken at once, the next while those taken are stored (taking is mostly I/O); they are yielded
 * in the order they are ready, `manifests` keeps the order given.
 */
export function captureAssets(
  assets: readonly StateAsset[],
  dir: string,
  hooks: CaptureHooks,
  progress: Progress | undefined,
): AssetCapture {
  const manifests: AssetManifest[] = [];
  const reused: ChunkLists = {};
  const held: OpenedAsset[] = [];

  const take = async (asset: StateAsset): Promise<CapturedAsset> => {
    const step = `snapshot ${asset.name}`;
    // Taken before the capture: a write during the capture changes the next fingerprint.
    const fingerprint = await asset.fingerprint?.().catch(() => undefined);
    const hit = fingerprint ? await hooks.unchanged(asset, fingerprint) : undefined;
    if (hit) {
      reused[asset.name] = hit.files;
      progress?.report({ type: "step-finished", step, status: "skipped", detail: "unchanged" });
      return { manifest: hit.manifest, openFile: () => Promise.reject(new Error("reused")) };
    }
    hooks.willStore(asset);
    progress?.report({ type: "step-started", step, detail: asset.kind });
    const opened = await asset.open?.();
    let out: CapturedAsset;
    if (opened) {
      held.push(opened);
      out = {
        openFile: (path) => opened.openFile(path),
        release: () => opened.release(),
        // Taken while held, it describes exactly what is read.
        manifest: withFingerprint(opened.manifest, opened.fingerprint ?? fingerprint),
      };
    } else {
      const assetDir = join(dir, asset.name);
      await mkdir(assetDir, { recursive: true, mode: 0o700 });
      const am = await asset.capture(assetDir).catch((e) => throwDiskFull(e, assetDir));
      out = capturedInDir(dir, withFingerprint(am, fingerprint));
    }
    progress?.report({ type: "step-finished", step, status: "succeeded" });
    return out;
  };

  // Takes under way, by asset index; TAKES_AT_ONCE of them, each yielded as soon as it is done.
  const taking = new Map<number, Promise<{ at: number; captured: CapturedAsset }>>();
  let started = 0;
  const startTaking = (): void => {
    while (started < assets.length && taking.size < TAKES_AT_ONCE) {
      const at = started++;
      const done = take(assets[at] as StateAsset).then((captured) => ({ at, captured }));
      done.catch(() => undefined); // awaited below; not unhandled meanwhile
      taking.set(at, done);
    }
  };
  async function* fresh(): AsyncGenerator<CapturedAsset> {
    for (startTaking(); taking.size > 0; startTaking()) {
      const { at, captured } = await Promise.race(taking.values());
      taking.delete(at);
      manifests[at] = captured.manifest;
      if (!(captured.manifest.name in reused)) yield captured;
    }
  }

  return {
    fresh: fresh(),
    manifests,
    reused,
    async finish() {
      await Promise.allSettled(taking.values());
      for (const opened of held) await opened.release().catch(() => undefined);
    },
  };
}

/** `manifest` with the live asset's fingerprint recorded (none: nothing recorded). */
function withFingerprint(manifest: AssetManifest, fingerprint: string | undefined): AssetManifest {
  return fingerprint ? { ...manifest, details: { ...manifest.details, fingerprint } } : manifest;
}

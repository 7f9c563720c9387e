import { ShipsafeError } from "../../../domain/errors.js";
import { isDiskFull } from "../../local-fs/disk-full.js";

/** A snapshot that fails its checks: nothing is restored from it. */
export function corrupt(id: string, problems: readonly string[]): ShipsafeError {
  return new ShipsafeError({
    code: "SNAPSHOT_CORRUPT",
    kind: "runtime",
    message: `snapshot ${id} does not verify: ${problems.join("; ")}`,
    hint: "nothing was restored; pick another snapshot (shipsafe snapshot list) or an exported archive",
  });
}

/** A full disk while an asset is copied into staging surfaces as DISK_FULL naming the place. */
export function throwDiskFull(error: unknown, dir: string): never {
  const sqliteFull = (error as { code?: unknown } | undefined)?.code === "SQLITE_FULL";
  if (!isDiskFull(error) && !sqliteFull) throw error;
  throw new ShipsafeError(
    {
      code: "DISK_FULL",
      kind: "runtime",
      message: `no space left on the device while copying a state asset into ${dir}`,
      hint: "free space on the state dir's file system (or remove old snapshots) and take the snapshot again; nothing partial was kept",
      location: dir,
    },
    { cause: error },
  );
}

/** A full disk while a snapshot is written out in plain form surfaces as DISK_FULL naming the place. */
export function throwRestoreDiskFull(error: unknown, dir: string): never {
  if (!isDiskFull(error)) throw error;
  throw new ShipsafeError(
    {
      code: "DISK_FULL",
      kind: "runtime",
      message: `no space left on the device while restoring a snapshot's files into ${dir}`,
      hint: "free space on that file system (a restore needs about the snapshot's size there) and run it again; the partly written temp files were removed and nothing was replaced",
      location: dir,
    },
    { cause: error },
  );
}

/** A snapshot asset the environment's config no longer defines. */
export function assetUnknown(id: string, name: string): ShipsafeError {
  return new ShipsafeError({
    code: "SNAPSHOT_ASSET_UNKNOWN",
    kind: "config",
    message: `snapshot ${id} holds asset "${name}", which the environment's config does not define`,
    hint: "restore with the config the snapshot was taken with, or add the asset back to state:",
  });
}

import type { SnapshotArchives } from "../../ports/snapshot-archive.js";
import { inspectArchive, readArchive } from "./read-archive.js";
import { makePrivateDir } from "./staging-dir.js";
import { writeArchive } from "./write-archive.js";

/** Portable snapshot archives as POSIX tar files (format `shipsafe-archive/1`). */
export function createTarSnapshotArchives(): SnapshotArchives {
  return {
    write: writeArchive,
    inspect: inspectArchive,
    stage: readArchive,
    scratch: (parent) => makePrivateDir(parent, ".shipsafe-scratch-"),
  };
}

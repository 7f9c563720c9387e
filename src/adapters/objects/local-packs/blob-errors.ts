import { ShipsafeError } from "../../../domain/errors.js";

export function blobMissing(id: string, pack?: string): ShipsafeError {
  return new ShipsafeError({
    code: "BLOB_MISSING",
    kind: "runtime",
    message:
      pack === undefined
        ? `blob ${id} is not in the object store`
        : `blob ${id} is indexed in pack ${pack}, but that pack file is missing`,
    hint: "run a check of the object store; snapshots that use this blob cannot be restored from this store",
  });
}

export function blobCorrupt(id: string, pack: string, problem: string): ShipsafeError {
  return new ShipsafeError({
    code: "BLOB_CORRUPT",
    kind: "runtime",
    message: `blob ${id} in pack ${pack} is damaged: ${problem}`,
    hint: "the disk returned different bytes than were stored; run a check of the object store and restore from another snapshot or archive",
  });
}

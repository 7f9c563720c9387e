/**
 * Where snapshot chunks ("blobs") live: opaque bytes under an id the caller computes — the
 * lowercase hex sha256 of the blob's uncompressed content. The caller hashes, compresses and
 * re-hashes after reading; the store only promises that what it returns is what was added, and
 * that a blob is visible to readers only once the writer that added it has committed.
 */
export interface ObjectStore {
  /**
   * Opens a writer (one per snapshot being written). While it is open it holds a lease on the
   * store, so `prune` cannot remove a blob it added or deduplicated against.
   */
  writer(options?: PackWriterOptions): Promise<PackWriter>;
  /**
   * Starts reading what `lacking` and `has` consult (the index) in the background, if it is not
   * in memory yet: a snapshot about to store new chunks asks early, so its first block does not
   * wait for the reading. A failure is reported by the call that needs it.
   */
  prefetch(): void;
  /** Whether a committed blob with this id is known (as of opening or the last refresh). */
  has(id: string): Promise<boolean>;
  /**
   * For each id of `ids` (count × 32 bytes: binary sha256 ids), 1 where no committed blob has it
   * (as of opening or the last refresh), else 0: `has` for a block of chunks at once.
   */
  lacking(ids: Uint8Array): Promise<Uint8Array>;
  /**
   * Reads the stored frame holding a blob; throws ShipsafeError BLOB_MISSING or BLOB_CORRUPT
   * naming the id and pack.
   */
  get(id: string): Promise<StoredBlob>;
  /**
   * Reads many blobs with large sequential reads, yielding them in the order requested. Blobs of
   * one frame read in one window share the same `data` object, so a caller decodes it once. A
   * blob's `data` may be overwritten once the next blob is asked for (read buffers are reused):
   * copy what you keep.
   */
  getMany(ids: readonly string[]): AsyncIterable<StoredBlob>;
  /**
   * Finds the stored frame of every blob in `ids` (count × 32 bytes: binary sha256 ids) in one
   * pass, numbering the distinct frames in storage order, so a reader can read each frame once, in
   * large sequential reads, and decode it once for all its members (a restore). Throws
   * ShipsafeError BLOB_MISSING naming the first id not stored.
   */
  locateFrames(ids: Uint8Array): Promise<FrameMap>;
  /**
   * Reads the frames numbered in `frames` (of `map`) back to back into `into` (at least the sum of
   * their `storedBytes`), checking each one's checksum: BLOB_CORRUPT or BLOB_MISSING naming the
   * blob and pack. Frames that follow each other in storage are read with one read. A frame a
   * prune moved since `locateFrames` is looked up again.
   */
  readFrames(map: FrameMap, frames: Uint32Array, into: Uint8Array): Promise<void>;
  /** Every committed blob id in the store. */
  ids(): AsyncIterable<string>;
  /** Reads every pack and checks every blob's checksum; lists the damaged ones. */
  check(): Promise<ObjectStoreCheck>;
  /**
   * Keeps only the `live` blobs: deletes packs holding no live blob, rewrites packs that are mostly
   * garbage. Refuses (ShipsafeError OBJECT_STORE_BUSY) while a writer holds a lease.
   */
  prune(live: ReadonlySet<string>): Promise<PruneResult>;
  stats(): Promise<ObjectStoreStats>;
}

export interface PackWriterOptions {
  /** Target size of one pack file in bytes. */
  readonly packSize?: number;
}

export interface PackWriter {
  /** Appends a blob unless the store (or this writer) already has it; false when deduplicated. */
  add(id: string, data: Uint8Array): Promise<boolean>;
  /**
   * Appends one frame holding several blobs: `data` is stored once and each member's index entry
   * points at it with the member's offset in the decoded frame. Members the store already has are
   * not indexed again; a frame with no new member is not written. Returns the members indexed.
   * The caller may reuse `data` once the returned promise settles.
   */
  addFrame(members: readonly FrameMember[], data: Uint8Array): Promise<number>;
  /** Whether this writer has added a blob with this id (not yet committed). */
  has(id: BlobId): boolean;
  /** Makes everything added durable and visible, then releases the lease. */
  commit(): Promise<CommitResult>;
  /** Discards everything not committed (temp files and unindexed packs removed); idempotent. */
  abort(): Promise<void>;
}

export interface CommitResult {
  /** Blobs this writer stored (deduplicated ones not counted). */
  readonly blobs: number;
  /** Bytes of blob data this writer stored. */
  readonly bytes: number;
  readonly packs: number;
}

/** A blob id: 64 lowercase hex characters, or the 32 bytes they spell. */
export type BlobId = string | Uint8Array;

/** A blob inside a frame: its id and where it starts in the frame's decoded bytes. */
export interface FrameMember {
  readonly id: BlobId;
  readonly within: number;
}

/**
 * A blob as read: the stored bytes of the frame that holds it (exactly what `add`/`addFrame` was
 * given) and the blob's offset in that frame once decoded (0 for a blob added alone).
 */
export interface StoredBlob {
  readonly id: string;
  readonly data: Uint8Array;
  readonly within: number;
}

/** Where the blobs asked of `locateFrames` are: frames numbered 0.. in storage order. */
export interface FrameMap {
  /** Distinct frames holding the blobs. */
  readonly frames: number;
  /** Per blob asked for, in the order asked: the number of the frame holding it. */
  readonly frameOf: Uint32Array;
  /** Per blob asked for: its offset in its frame once decoded. */
  readonly within: Uint32Array;
  /** Per frame: its stored (encoded) length in bytes. */
  readonly storedBytes: Uint32Array;
}

export interface BadBlob {
  /** The blob id, or "" when the damage is in a pack's trailer rather than in a blob. */
  readonly id: string;
  readonly pack: string;
  readonly problem: string;
}

export interface ObjectStoreCheck {
  readonly ok: boolean;
  readonly packs: number;
  readonly blobs: number;
  readonly bad: readonly BadBlob[];
}

export interface PruneResult {
  readonly packsDeleted: number;
  readonly packsRewritten: number;
  /** Pack bytes removed minus pack bytes written. */
  readonly bytesFreed: number;
}

export interface ObjectStoreStats {
  readonly packs: number;
  readonly blobs: number;
  /** Bytes of the indexed pack files. */
  readonly bytes: number;
}

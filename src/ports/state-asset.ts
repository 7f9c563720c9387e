import type { JsonObject } from "../domain/model/json.js";

/** One file of an asset's snapshot, relative to the asset's snapshot directory. */
export interface SnapshotFile {
  readonly path: string;
  readonly size: number;
  /**
   * Lowercase hex sha256 of the file. `capture` may leave it empty ("") when the copy was not
   * hashed on the way: the snapshot store then hashes the file while storing it (one read instead
   * of two). Every stored manifest has it.
   */
  readonly sha256: string;
  /**
   * Set by a content-addressed store: the sha256 of the file's chunk list (`<chunk id>
   * <length>\n` per chunk, in order). With every chunk checked against its id on read, it proves
   * the file's content without hashing the whole file again.
   */
  readonly chunks?: string;
}

/** What a snapshot holds of one protected asset. */
export interface AssetManifest {
  readonly name: string;
  readonly kind: "sqlite" | "files" | "postgres";
  /** Where the asset lives (a path; a URL with the password masked). */
  readonly source: string;
  readonly files: readonly SnapshotFile[];
  readonly size: number;
  /** For databases: `{ schemaVersion, tables: { name: rowCount } }`; free-form per kind. */
  readonly details: JsonObject;
}

/** Something a snapshot protects: a SQLite database, files and directories, a PostgreSQL database. */
export interface StateAsset {
  readonly name: string;
  readonly kind: AssetManifest["kind"];
  /** Copies the live asset consistently into `dir` (which exists and is empty). */
  capture(dir: string): Promise<AssetManifest>;
  /** Replaces the live asset with the copy in `dir` (already verified against `manifest`). */
  restore(dir: string, manifest: AssetManifest): Promise<void>;
  /** Restores the copy in `dir` to `sandboxDir` instead of the live place, and checks it there. */
  restoreInto(dir: string, manifest: AssetManifest, sandboxDir: string): Promise<IntegrityReport>;
  /** Row counts / schema version of the live asset now (to state what a restore would lose). */
  inspect(): Promise<JsonObject>;
  /**
   * Optional: a cheap identity of the live content (sizes, change times, inodes — no reading of
   * the data). Two equal fingerprints promise equal content, so a snapshot may reuse the previous
   * copy instead of capturing again. Undefined when the asset cannot tell.
   */
  fingerprint?(): Promise<string | undefined>;
  /** Optional: about how many bytes a capture copies now, from metadata (to plan staging room). */
  size?(): Promise<number>;
  /**
   * Optional: holds the live asset still (a SQLite read transaction) so that a snapshot store can
   * read its files in place, once, instead of from a copy. Undefined when it cannot do so now; the
   * store then calls `capture`.
   */
  open?(): Promise<OpenedAsset | undefined>;
}

/** A live asset held still for reading in place: what `StateAsset.open` returns. */
export interface OpenedAsset {
  /** The manifest as `capture` would record it; every file's sha256 is "" (hashed while read). */
  readonly manifest: AssetManifest;
  /**
   * A fingerprint taken while the asset was held (see `StateAsset.fingerprint`): it describes
   * exactly what is read, so the store records it rather than the one taken before.
   */
  readonly fingerprint?: string | undefined;
  /** Opens file `path` of the manifest for one sequential read of exactly its `size` bytes. */
  openFile(path: string): Promise<FileSource>;
  /** Lets the live asset go (ends the read transaction). Called once, also after a failure. */
  release(): Promise<void>;
}

/** One file's bytes, read in order from the start. */
export interface FileSource {
  /** Reads up to `length` bytes into `into` at `offset`; returns how many, 0 at the end. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export interface IntegrityReport {
  readonly ok: boolean;
  /** `integrity_check: ok`, `rows users: 120 (manifest 120)`, ... */
  readonly checks: readonly { name: string; ok: boolean; detail: string }[];
}

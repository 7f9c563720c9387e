import type { Progress } from "./progress.js";

/** One immutable release stored on a target. */
export interface ReleaseInfo {
  readonly version: string;
  /** Where the release's files live on the target (e.g. `<root>/releases/<version>`). */
  readonly path: string;
  readonly addedAt: string;
  /** sha256 over the release's file list (path, size, sha256 of each file), hex. */
  readonly checksum: string;
  readonly files: number;
  readonly bytes: number;
  /** The git commit when the source was a git checkout. */
  readonly gitCommit?: string;
}

export interface ReleaseCheck {
  readonly version: string;
  readonly ok: boolean;
  /** What differs from the checksummed copy: `modified: server.js`, `missing: lib/a.js`, ... */
  readonly problems: readonly string[];
}

export interface ProcessStatus {
  readonly running: boolean;
  readonly pid?: number;
  /** The version whose process is running, when the target knows it. */
  readonly version?: string;
}

/**
 * Where releases run. The embedded default (`local`) keeps releases in `<root>/releases/<version>/`
 * and switches `<root>/current` atomically.
 */
export interface Target {
  /** Stores an immutable, checksummed copy of a directory or .tar.gz as `version`. */
  addRelease(version: string, from: string, progress?: Progress): Promise<ReleaseInfo>;
  releases(): Promise<ReleaseInfo[]>;
  release(version: string): Promise<ReleaseInfo | undefined>;
  /** Re-hashes a stored release against its checksummed file list. */
  verifyRelease(version: string): Promise<ReleaseCheck>;
  /** The version `current` points at, if any. */
  current(): Promise<string | undefined>;
  /** Points `current` at `version` atomically (never a moment without a link). */
  activate(version: string): Promise<void>;
  /** Stops the running process (graceful, then forced after the grace period). */
  stop(): Promise<void>;
  /** Starts (or restarts) the service from `current`. */
  start(): Promise<void>;
  status(): Promise<ProcessStatus>;
}

/** Who holds (or asks for) an environment lock; shown to the operator who is refused. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly actor: string;
  readonly command: string;
  readonly acquiredAt: string;
}

/** A lock as seen now: `stale` when its holder ran on this host and that process is gone. */
export interface HeldLock extends LockHolder {
  readonly env: string;
  readonly stale: boolean;
}

export type LockAttempt =
  | {
      readonly acquired: true;
      release(): Promise<void>;
      /** Set when a stale lock (its holder process gone) was taken over: who held it. */
      readonly tookOverFrom?: LockHolder;
    }
  | { readonly acquired: false; readonly holder: LockHolder };

/** Serializes mutating operations on one environment across processes and hosts. */
export interface EnvLocks {
  /**
   * Takes the lock on `env` for `holder`. A lock whose holder process is gone (same host, pid not
   * alive) is taken over; a live holder is reported back, never waited on.
   */
  acquire(env: string, holder: LockHolder): Promise<LockAttempt>;
  /** The current holder of `env`, if any. */
  holder(env: string): Promise<HeldLock | undefined>;
  list(): Promise<HeldLock[]>;
  /** Removes a lock regardless of holder (operator's `lock break`). Returns the removed holder. */
  forceRelease(env: string): Promise<LockHolder | undefined>;
}

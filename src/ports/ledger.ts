import type { LedgerCheckpoint, LedgerEntry } from "../domain/model/ledger.js";

/** Append-only storage of the hash-chained audit ledger. Hashing is the caller's (domain) job. */
export interface LedgerStore {
  /**
   * Atomically reads the last entry and appends the one `build` returns, so two processes can never
   * append with the same `prevHash`.
   */
  append(build: (last: LedgerEntry | undefined) => LedgerEntry): Promise<LedgerEntry>;
  /** The last entry, or undefined for an empty ledger. */
  last(): Promise<LedgerEntry | undefined>;
  /** Entries in seq order, streamed (a ledger may hold millions). */
  entries(options?: { fromSeq?: number }): AsyncIterable<LedgerEntry>;
  /** The newest `n` entries, oldest first. */
  tail(n: number): Promise<LedgerEntry[]>;
  count(): Promise<number>;
  /** Atomically writes the checkpoint `build` returns for the current last entry (none if empty). */
  addCheckpoint(
    build: (last: LedgerEntry) => LedgerCheckpoint,
  ): Promise<LedgerCheckpoint | undefined>;
  checkpoints(): Promise<LedgerCheckpoint[]>;
}

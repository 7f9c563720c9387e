import type { IndexState } from "./index-state.js";
import type { LeaseRules } from "./store-lease.js";

/** What the parts of one open local pack store share. */
export interface StoreContext {
  readonly dir: string;
  readonly packsDir: string;
  readonly indexDir: string;
  readonly rules: LeaseRules;
  /** The index as last loaded; only once `loaded` or `refresh` has resolved (else it throws). */
  current(): IndexState;
  /**
   * The index, read from disk first if nothing needed it yet (opening the store does not) or if a
   * lease was taken since it was last read (`readAgain`).
   */
  loaded(): Promise<IndexState>;
  /**
   * Makes the next `loaded` (and `has`) read the index files again: a writer calls it once it holds
   * its lease, so it never deduplicates against a blob a prune removed before that.
   */
  readAgain(): void;
  /**
   * Merges index files committed since (or reloads after a prune), or loads the index if it was
   * not yet, and returns the result.
   */
  refresh(): Promise<IndexState>;
  /** Replaces the in-memory index (after check or prune read it afresh). */
  replace(state: IndexState): void;
}

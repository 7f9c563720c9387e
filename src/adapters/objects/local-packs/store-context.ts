import type { IndexState } from "./index-state.js";
import type { LeaseRules } from "./store-lease.js";

/** What the parts of one open local pack store share. */
export interface StoreContext {
  readonly dir: string;
  readonly packsDir: string;
  readonly indexDir: string;
  readonly rules: LeaseRules;
  /** The index as last loaded. */
  current(): IndexState;
  /** Merges index files committed since (or reloads after a prune) and returns the result. */
  refresh(): Promise<IndexState>;
  /** Replaces the in-memory index (after check or prune read it afresh). */
  replace(state: IndexState): void;
}

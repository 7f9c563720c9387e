import type {
  BaselineRecord,
  DrillRecord,
  GateRunRecord,
  ReleaseRecord,
  RollbackRecord,
  SnapshotRecord,
  StepJournalEntry,
} from "../domain/model/records.js";
import type { EnvLocks } from "./env-lock.js";
import type { LedgerStore } from "./ledger.js";

/** A keyed collection of records; `list` is newest first. */
export interface RecordRepository<T extends { readonly id: string; readonly env: string }> {
  put(record: T): Promise<void>;
  get(id: string): Promise<T | undefined>;
  list(filter?: { env?: string; limit?: number }): Promise<T[]>;
}

export interface StepJournal {
  record(entry: StepJournalEntry): Promise<void>;
  entries(rollbackId: string): Promise<StepJournalEntry[]>;
}

/**
 * Everything shipsafe remembers. The embedded default is SQLite in the state dir; PostgreSQL can
 * replace it for a team sharing one history.
 */
export interface Store {
  readonly releases: RecordRepository<ReleaseRecord>;
  readonly snapshots: RecordRepository<SnapshotRecord>;
  readonly gateRuns: RecordRepository<GateRunRecord>;
  readonly rollbacks: RecordRepository<RollbackRecord>;
  readonly journal: StepJournal;
  readonly drills: RecordRepository<DrillRecord>;
  /** Metric baselines (`shipsafe baseline capture`). */
  readonly baselines: RecordRepository<BaselineRecord>;
  readonly ledger: LedgerStore;
  readonly locks: EnvLocks;
  /** Version of the store's own schema (its migrations). */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

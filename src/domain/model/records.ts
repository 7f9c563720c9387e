import type { JsonObject } from "./json.js";

/**
 * Records the store keeps. Later issues fill in the fields they need; each record keeps its full
 * document as JSON beside the columns the store indexes.
 */
export interface ReleaseRecord {
  readonly id: string;
  readonly service: string;
  readonly env: string;
  readonly version: string;
  readonly createdAt: string;
  readonly status: string;
  readonly doc: JsonObject;
}

export interface SnapshotRecord {
  readonly id: string;
  readonly env: string;
  readonly createdAt: string;
  readonly doc: JsonObject;
}

export interface GateRunRecord {
  readonly id: string;
  readonly gate: string;
  readonly env: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly doc: JsonObject;
}

export interface RollbackRecord {
  readonly id: string;
  readonly env: string;
  readonly createdAt: string;
  readonly status: string;
  /** The plan, as data. */
  readonly doc: JsonObject;
}

export type StepStatus = "running" | "succeeded" | "failed" | "skipped" | "not_executed";

/** One journal line of a rollback/deploy executor: lets an interrupted run resume. */
export interface StepJournalEntry {
  readonly rollbackId: string;
  readonly index: number;
  readonly name: string;
  readonly status: StepStatus;
  readonly at: string;
  readonly detail: JsonObject;
}

export interface DrillRecord {
  readonly id: string;
  readonly env: string;
  readonly kind: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly doc: JsonObject;
}

/** A baseline: every metric's interval values and statistics before a change (the ops summary). */
export interface BaselineRecord {
  readonly id: string;
  readonly env: string;
  readonly capturedAt: string;
  /** The release running when it was captured, if known. */
  readonly version: string | null;
  /** The summary document (also stored as evidence). */
  readonly doc: JsonObject;
}

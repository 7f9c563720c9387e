/**
 * The vocabulary of database migrations shared by the migration sources, the classifier, the
 * round-trip check and the rollback planner. Pure types, no I/O.
 */

/** One migration as its source lists it, in apply order. */
export interface MigrationInfo {
  /** Stable id, sortable in apply order: `0003_add_email` for sql-dir, the tool's own id otherwise. */
  readonly id: string;
  /** Human name (`add_email`). */
  readonly name: string;
  /** Whether a down-migration exists for it. */
  readonly hasDown: boolean;
}

/** A migration recorded as applied in the target database. */
export interface AppliedMigration {
  readonly id: string;
  /** ISO time, null when the tool does not record it. */
  readonly appliedAt: string | null;
}

/** `/migration state`: what the database has applied against what the release ships. */
export interface MigrationState {
  /** The newest applied migration, null on an empty database. */
  readonly head: string | null;
  readonly applied: readonly AppliedMigration[];
  /** Ids the release ships that the database has not applied, in apply order. */
  readonly pending: readonly string[];
  /** Applied ids the release does not ship (the database is ahead of this release). */
  readonly unknownApplied: readonly string[];
  readonly lastAppliedAt: string | null;
}

/** How a migration affects code that was written for the schema before it. */
export type MigrationVerdict = "additive" | "breaking" | "unknown";

/** Why one statement of a migration got its verdict. */
export interface StatementVerdict {
  /** 0-based position of the statement in the migration. */
  readonly index: number;
  /** The statement, whitespace collapsed, cut to 200 characters. */
  readonly statement: string;
  readonly verdict: MigrationVerdict;
  /** `drops column orders.note`, `adds nullable column users.email`, ... */
  readonly reason: string;
}

/** A migration's classification: the worst verdict of its statements, with the causes named. */
export interface MigrationClassification {
  readonly migrationId: string;
  readonly verdict: MigrationVerdict;
  /** Every statement's verdict (the ones that decided the migration's verdict first). */
  readonly statements: readonly StatementVerdict[];
  /** Which passes decided: the parser's static pass, the schema diff on a scratch copy, or both. */
  readonly sources: readonly ("static" | "schema-diff")[];
}

/** The outcome of up → down → up on a scratch copy, compared by schema fingerprint. */
export interface Reversibility {
  readonly migrationId: string;
  readonly status: "reversible" | "non-reversible";
  /** `no down-migration`, `down leaves column users.email`, `down failed: <error>`, ... */
  readonly reason: string;
}

/** A recorded decision to release a non-reversible migration anyway. */
export interface MigrationWaiver {
  readonly migration: string;
  readonly by: string;
  readonly reason: string;
  /** ISO date the waiver was given. */
  readonly at: string;
}

/** Orders verdicts from harmless to worst: a migration is as bad as its worst statement. */
export const VERDICT_RANK: Readonly<Record<MigrationVerdict, number>> = {
  additive: 0,
  unknown: 1,
  breaking: 2,
};

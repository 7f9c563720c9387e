import type Database from "better-sqlite3";
import { ShipsafeError } from "../../../domain/errors.js";

export interface StoreMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The store's own schema history, oldest first. Append only: never edit a shipped migration. */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE releases (
        id TEXT PRIMARY KEY, env TEXT NOT NULL, service TEXT NOT NULL, version TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX releases_env_created ON releases (env, created_at);
      CREATE INDEX releases_created ON releases (created_at);
      CREATE INDEX releases_env_version ON releases (env, version);

      CREATE TABLE snapshots (
        id TEXT PRIMARY KEY, env TEXT NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX snapshots_env_created ON snapshots (env, created_at);
      CREATE INDEX snapshots_created ON snapshots (created_at);

      CREATE TABLE gate_runs (
        id TEXT PRIMARY KEY, gate TEXT NOT NULL, env TEXT NOT NULL, started_at TEXT NOT NULL,
        passed INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX gate_runs_env_started ON gate_runs (env, started_at);
      CREATE INDEX gate_runs_started ON gate_runs (started_at);

      CREATE TABLE rollbacks (
        id TEXT PRIMARY KEY, env TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
        doc TEXT NOT NULL);
      CREATE INDEX rollbacks_env_created ON rollbacks (env, created_at);
      CREATE INDEX rollbacks_created ON rollbacks (created_at);

      CREATE TABLE rollback_steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT, rollback_id TEXT NOT NULL, idx INTEGER NOT NULL,
        name TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX rollback_steps_rollback ON rollback_steps (rollback_id, id);

      CREATE TABLE drills (
        id TEXT PRIMARY KEY, env TEXT NOT NULL, kind TEXT NOT NULL, started_at TEXT NOT NULL,
        passed INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX drills_env_started ON drills (env, started_at);
      CREATE INDEX drills_started ON drills (started_at);

      CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, env TEXT,
        kind TEXT NOT NULL, subject TEXT NOT NULL, data TEXT NOT NULL, evidence_hash TEXT,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX ledger_env_kind ON ledger (env, kind);

      CREATE TABLE ledger_checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, hash TEXT NOT NULL,
        at TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);
      CREATE INDEX ledger_checkpoints_seq ON ledger_checkpoints (seq);

      -- Guard rails against accidents, not against attackers (who can drop them): the hash chain
      -- and signed checkpoints are what make tampering evident.
      CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
      CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
      CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
        BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;
      CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
        BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;

      CREATE TABLE env_locks (
        env TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, actor TEXT NOT NULL,
        command TEXT NOT NULL, acquired_at TEXT NOT NULL, token TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: "baselines",
    sql: `
      CREATE TABLE baselines (
        id TEXT PRIMARY KEY, env TEXT NOT NULL, version TEXT, captured_at TEXT NOT NULL,
        doc TEXT NOT NULL);
      CREATE INDEX baselines_env_captured ON baselines (env, captured_at);
    `,
  },
];

export const LATEST_STORE_VERSION = STORE_MIGRATIONS.at(-1)?.version ?? 0;

/** The highest applied migration version (0 for a new database). */
export function storeSchemaVersion(db: Database.Database): number {
  const row = db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/**
 * Brings the database up to `migrations`, one IMMEDIATE transaction per migration, re-checking
 * inside it so two processes opening a fresh state dir at once apply each migration once.
 * Refuses a database written by a newer shipsafe.
 */
export function applyMigrations(
  db: Database.Database,
  file: string,
  migrations: readonly StoreMigration[] = STORE_MIGRATIONS,
): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const latest = migrations.at(-1)?.version ?? 0;
  const current = storeSchemaVersion(db);
  if (current > latest) {
    throw new ShipsafeError({
      code: "STORE_TOO_NEW",
      kind: "runtime",
      message: `${file} has store schema version ${current}, but this shipsafe knows versions up to ${latest}`,
      hint: "upgrade shipsafe to the version that last wrote this state dir (or newer)",
    });
  }
  const applied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      if (applied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
  return storeSchemaVersion(db);
}

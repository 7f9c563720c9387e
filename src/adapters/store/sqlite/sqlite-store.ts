import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type {
  BaselineRecord,
  DrillRecord,
  GateRunRecord,
  ReleaseRecord,
  RollbackRecord,
  SnapshotRecord,
} from "../../../domain/model/records.js";
import type { Store } from "../../../ports/store.js";
import { applyMigrations, storeSchemaVersion } from "./migrations.js";
import { sqliteEnvLocks } from "./sqlite-env-locks.js";
import { sqliteLedgerStore } from "./sqlite-ledger-store.js";
import { sqliteRecordRepository } from "./sqlite-record-repository.js";
import { sqliteStepJournal } from "./sqlite-step-journal.js";

export const STORE_FILE = "shipsafe.db";

/**
 * The embedded store: `<stateDir>/shipsafe.db`, SQLite in WAL mode, safe to open from several
 * processes at once (writers serialize on the database lock, waiting up to 5 s).
 */
export async function openSqliteStore(stateDir: string): Promise<Store> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, STORE_FILE);
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    await switchToWal(db);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // Deleted rows (released locks, pruned records) are overwritten, not left in free pages.
    db.pragma("secure_delete = ON");
    applyMigrations(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    releases: sqliteRecordRepository<ReleaseRecord>(db, {
      table: "releases",
      timeColumn: "created_at",
      columns: {
        service: (r) => r.service,
        version: (r) => r.version,
        status: (r) => r.status,
        created_at: (r) => r.createdAt,
      },
    }),
    snapshots: sqliteRecordRepository<SnapshotRecord>(db, {
      table: "snapshots",
      timeColumn: "created_at",
      columns: { created_at: (r) => r.createdAt },
    }),
    gateRuns: sqliteRecordRepository<GateRunRecord>(db, {
      table: "gate_runs",
      timeColumn: "started_at",
      columns: { gate: (r) => r.gate, started_at: (r) => r.startedAt, passed: (r) => +r.passed },
    }),
    rollbacks: sqliteRecordRepository<RollbackRecord>(db, {
      table: "rollbacks",
      timeColumn: "created_at",
      columns: { status: (r) => r.status, created_at: (r) => r.createdAt },
    }),
    journal: sqliteStepJournal(db),
    drills: sqliteRecordRepository<DrillRecord>(db, {
      table: "drills",
      timeColumn: "started_at",
      columns: { kind: (r) => r.kind, started_at: (r) => r.startedAt, passed: (r) => +r.passed },
    }),
    baselines: sqliteRecordRepository<BaselineRecord>(db, {
      table: "baselines",
      timeColumn: "captured_at",
      columns: { version: (r) => r.version, captured_at: (r) => r.capturedAt },
    }),
    ledger: sqliteLedgerStore(db),
    locks: sqliteEnvLocks(db),
    schemaVersion: async () => storeSchemaVersion(db),
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Puts the database in WAL mode. The switch needs an exclusive lock, and SQLite answers "database
 * is locked" at once (without its busy handler) when processes opening a fresh state dir together
 * race for it; so it is retried for up to the busy timeout. Already in WAL: nothing to do.
 */
async function switchToWal(db: Database.Database): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code === "SQLITE_BUSY";
      if (!busy || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }
}

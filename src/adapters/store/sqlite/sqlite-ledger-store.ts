import type Database from "better-sqlite3";
import { canonicalJson } from "../../../domain/canonical-json.js";
import { GENESIS_HASH } from "../../../domain/ledger/ledger-hash.js";
import type { JsonObject } from "../../../domain/model/json.js";
import type { LedgerCheckpoint, LedgerEntry } from "../../../domain/model/ledger.js";
import type { LedgerStore } from "../../../ports/ledger.js";

interface LedgerRow {
  seq: number;
  at: string;
  actor: string;
  env: string | null;
  kind: string;
  subject: string;
  data: string;
  evidence_hash: string | null;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
}

/** Rows read per query while streaming; no read transaction outlives one batch. */
export const LEDGER_BATCH_SIZE = 1000;

const COLUMNS = "seq, at, actor, env, kind, subject, data, evidence_hash, prev_hash, hash";

/**
 * The ledger in SQLite: one column per entry field, appends and checkpoints in BEGIN IMMEDIATE
 * transactions so concurrent processes serialize on the write lock and never fork the chain.
 */
export function sqliteLedgerStore(db: Database.Database): LedgerStore {
  const lastRow = db.prepare(`SELECT ${COLUMNS} FROM ledger ORDER BY seq DESC LIMIT 1`);
  const insert = db.prepare(
    `INSERT INTO ledger (${COLUMNS}) VALUES
     (@seq, @at, @actor, @env, @kind, @subject, @data, @evidence_hash, @prev_hash, @hash)`,
  );
  const batch = db.prepare(
    `SELECT ${COLUMNS} FROM ledger WHERE seq >= ? ORDER BY seq LIMIT ${LEDGER_BATCH_SIZE}`,
  );
  const tail = db.prepare(`SELECT ${COLUMNS} FROM ledger ORDER BY seq DESC LIMIT ?`);
  const count = db.prepare("SELECT count(*) FROM ledger").pluck();
  const insertCheckpoint = db.prepare(
    "INSERT INTO ledger_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)",
  );
  const checkpoints = db.prepare(
    "SELECT seq, hash, at, key_id, signature FROM ledger_checkpoints ORDER BY seq, id",
  );
  const last = () => {
    const row = lastRow.get() as LedgerRow | undefined;
    return row && toEntry(row);
  };

  const append = db.transaction((build: (last: LedgerEntry | undefined) => LedgerEntry) => {
    const previous = last();
    const entry = build(previous);
    const seq = (previous?.seq ?? 0) + 1;
    const prevHash = previous?.hash ?? GENESIS_HASH;
    if (entry.seq !== seq || entry.prevHash !== prevHash) {
      throw new Error(`ledger append out of line: built seq ${entry.seq}, expected ${seq}`);
    }
    insert.run(toRow(entry));
    return entry;
  });

  const addCheckpoint = db.transaction((build: (last: LedgerEntry) => LedgerCheckpoint) => {
    const current = last();
    if (!current) return undefined;
    const cp = build(current);
    insertCheckpoint.run(cp.seq, cp.hash, cp.at, cp.keyId, cp.signature);
    return cp;
  });

  return {
    append: async (build) => append.immediate(build),
    last: async () => last(),
    async *entries(options = {}) {
      let from = options.fromSeq ?? 1;
      for (;;) {
        const rows = batch.all(from) as LedgerRow[];
        for (const row of rows) yield toEntry(row);
        const lastInBatch = rows.at(-1);
        if (rows.length < LEDGER_BATCH_SIZE || !lastInBatch) return;
        from = lastInBatch.seq + 1;
      }
    },
    tail: async (n) => (tail.all(n) as LedgerRow[]).map(toEntry).reverse(),
    count: async () => count.get() as number,
    addCheckpoint: async (build) => addCheckpoint.immediate(build),
    checkpoints: async () =>
      (checkpoints.all() as CheckpointRow[]).map((row) => ({
        seq: row.seq,
        hash: row.hash,
        at: row.at,
        keyId: row.key_id,
        signature: row.signature,
      })),
  };
}

function toRow(entry: LedgerEntry): LedgerRow {
  return {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    env: entry.env,
    kind: entry.kind,
    subject: entry.subject,
    data: canonicalJson(entry.data),
    evidence_hash: entry.evidenceHash ?? null,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

function toEntry(row: LedgerRow): LedgerEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    env: row.env,
    kind: row.kind,
    subject: row.subject,
    data: JSON.parse(row.data) as JsonObject,
    ...(row.evidence_hash === null ? {} : { evidenceHash: row.evidence_hash }),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

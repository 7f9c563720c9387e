import Database from "better-sqlite3";
import type { SnapshotFile } from "../../../ports/state-asset.js";
import { copyHashed, type FileDigest } from "../files/durable-copy.js";
import {
  type IntegrityLevel,
  integrityProblems,
  readSqliteFacts,
  type SqliteFacts,
} from "./sqlite-facts.js";

/** What became of copying a snapshot's database file somewhere it can be opened. */
export interface SqliteCopy {
  readonly digest: FileDigest;
  /** `PRAGMA integrity_check` / `quick_check` problems; empty when sound. */
  readonly problems: readonly string[];
  /** Undefined when the copy could not be opened as a database. */
  readonly facts: SqliteFacts | undefined;
}

/**
 * Copies a snapshot's database file to `to` (hashing it on the way), puts it back into the journal
 * mode the live database had, and checks it. Used for the real restore and the sandbox alike, so a
 * drill exercises the same code as the restore it rehearses. Does not throw for a bad copy: the
 * caller decides whether that refuses a restore or fails a check.
 */
export async function copySqliteSnapshot(
  from: string,
  to: string,
  file: SnapshotFile,
  journalMode: string | undefined,
  level: IntegrityLevel,
): Promise<SqliteCopy> {
  const digest = await copyHashed(from, to, 0o644);
  if (digest.sha256 !== file.sha256 || digest.size !== file.size) {
    return { digest, problems: ["the copy does not match the manifest"], facts: undefined };
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(to, { fileMustExist: true });
    // Snapshots are kept self-contained (no -wal); WAL is a property of the file, so put it back.
    if (journalMode === "wal") db.pragma("journal_mode = WAL");
    const problems = integrityProblems(db, level);
    return { digest, problems, facts: problems.length === 0 ? readSqliteFacts(db) : undefined };
  } catch (error) {
    return { digest, problems: [(error as Error).message], facts: undefined };
  } finally {
    db?.close();
  }
}

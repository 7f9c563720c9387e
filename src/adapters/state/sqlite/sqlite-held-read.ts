import { type FileHandle, open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { readSqliteFacts, type SqliteFacts } from "./sqlite-facts.js";

/** A read transaction on a live database whose view is the database file's first pages as they are. */
export interface HeldSqliteRead {
  readonly pageSize: number;
  readonly pageCount: number;
  readonly journalMode: string;
  readonly facts: SqliteFacts;
  /** The caller's fingerprint of the files, taken while no commit could land (see holdSqliteRead). */
  readonly fingerprint: string | undefined;
  /**
   * Reads the view's bytes at `position` (up to `pageCount * pageSize`); 0 at the end. The header
   * says "rollback journal" where the live file says WAL, as a copy made by the backup API and
   * switched to `journal_mode = DELETE` would: the bytes stand alone, without a -wal.
   */
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Ends the read transaction. */
  release(): void;
}

/** How long to wait for the application's write transaction to end before giving up. */
const WRITE_LOCK_TIMEOUT_MS = 5000;
/**
 * Pauses between attempts at a full checkpoint (ms): ~0.3 s in all before falling back to a copy.
 * An attempt fails when another connection is checkpointing at that moment — an application in WAL
 * mode checkpoints by itself after a commit, outside its write lock — which passes in milliseconds;
 * under the benchmark's steady writes 2 snapshots of 11 met it, and a copy instead of the in-place
 * read cost them 1.5-4 s. A reader holding an old view fails every attempt.
 */
const CHECKPOINT_RETRY_MS = [10, 20, 40, 80, 160];
/** Bytes 18 and 19 of the header: file format write and read versions, 2 for WAL, 1 for legacy. */
const FORMAT_VERSION_AT = 18;

/**
 * Holds a read transaction on the live database at `path` such that the database file alone holds
 * its whole view and stays unchanged where it matters until `release` — so the file can be read in
 * place, with no backup copy. Undefined when that cannot be had now (another reader keeps the WAL
 * from being checkpointed fully, or the application holds its write lock longer than 5 s): the
 * caller then copies with the backup API as before.
 *
 * WAL mode: while a second connection's write transaction keeps commits out, a passive checkpoint
 * copies every frame of the WAL into the file; the read transaction then begins with nothing it
 * needs in the WAL. Until it ends no checkpoint may write a frame beyond its view into the file
 * (SQLite's read marks), so the file's first `pageCount` pages are its view. Writers wait for the
 * checkpoint only (a WAL after auto-checkpointing holds at most ~1,000 pages).
 * Rollback-journal mode: the read transaction's shared lock keeps writers out of the file.
 */
export async function holdSqliteRead(
  path: string,
  fingerprint: () => string | undefined,
): Promise<HeldSqliteRead | undefined> {
  const handle = await heldHandle(path);
  const reader = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  let holding = false;
  try {
    const journalMode = String(reader.pragma("journal_mode", { simple: true }));
    let taken: string | undefined;
    if (journalMode === "wal") {
      let still = await checkpointedUnderWriteLock(path, reader, fingerprint);
      for (const pause of CHECKPOINT_RETRY_MS) {
        if (still !== "not-checkpointed") break;
        await sleep(pause);
        still = await checkpointedUnderWriteLock(path, reader, fingerprint);
      }
      if (typeof still === "string") return undefined;
      taken = still.fingerprint;
    } else {
      beginRead(reader);
      taken = fingerprint();
    }
    holding = true;
    const pageSize = reader.pragma("page_size", { simple: true }) as number;
    const pageCount = reader.pragma("page_count", { simple: true }) as number;
    const facts = readSqliteFacts(reader);
    const end = pageSize * pageCount;
    return {
      pageSize,
      pageCount,
      journalMode,
      facts,
      fingerprint: taken,
      async read(into, offset, length, position) {
        const want = Math.min(length, end - position);
        if (want <= 0) return 0;
        const { bytesRead } = await handle.read(into, offset, want, position);
        if (journalMode === "wal" && position <= FORMAT_VERSION_AT + 1) {
          for (const at of [FORMAT_VERSION_AT, FORMAT_VERSION_AT + 1]) {
            const i = offset + at - position;
            if (at >= position && at < position + bytesRead && into[i] === 2) into[i] = 1;
          }
        }
        return bytesRead;
      },
      release() {
        if (reader.inTransaction) reader.exec("COMMIT");
        reader.close();
      },
    };
  } finally {
    if (!holding) {
      if (reader.inTransaction) reader.exec("ROLLBACK");
      reader.close();
    }
  }
}

/**
 * Takes the write lock on a second connection, checkpoints the whole WAL into the file on a third
 * and begins `reader`'s read transaction before letting the lock go. "locked" when the write lock
 * was not had in time, "not-checkpointed" when the checkpoint could not copy every frame (another
 * checkpoint was running, or a reader holds an older view).
 */
async function checkpointedUnderWriteLock(
  path: string,
  reader: Database.Database,
  fingerprint: () => string | undefined,
): Promise<{ fingerprint: string | undefined } | "locked" | "not-checkpointed"> {
  const writer = new Database(path, { fileMustExist: true, timeout: WRITE_LOCK_TIMEOUT_MS });
  try {
    try {
      writer.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return "locked";
      throw error;
    }
    try {
      // A checkpoint cannot run inside the writer's own transaction: a third connection runs it.
      const checkpointer = new Database(path, { fileMustExist: true, timeout: 0 });
      let full: boolean;
      try {
        const [row] = checkpointer.pragma("wal_checkpoint(PASSIVE)") as {
          busy: number;
          log: number;
          checkpointed: number;
        }[];
        full = row !== undefined && row.busy === 0 && row.log === row.checkpointed;
      } finally {
        checkpointer.close();
      }
      if (!full) return "not-checkpointed";
      beginRead(reader);
      // Nothing can commit until the ROLLBACK below: the fingerprint describes exactly the view.
      // Synchronous, like everything under the lock: no other work of this process (another
      // asset's reads, say) gets a turn to stretch the time the application waits.
      return { fingerprint: fingerprint() };
    } finally {
      writer.exec("ROLLBACK");
    }
  } finally {
    writer.close();
  }
}

/** Begins a read transaction: a deferred BEGIN takes its snapshot at the first read. */
function beginRead(db: Database.Database): void {
  db.exec("BEGIN");
  db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get();
}

/**
 * File handles on live databases, kept open for the life of the process. Closing any descriptor
 * of a file drops every POSIX lock this process holds on it — those of SQLite connections in this
 * process included, which would then no longer keep other processes from, for example, deleting
 * the WAL under them. SQLite defers such closes for the same reason.
 */
const handles = new Map<string, FileHandle>();

async function heldHandle(path: string): Promise<FileHandle> {
  const info = await stat(path);
  const known = handles.get(`${info.dev}:${info.ino}`);
  if (known) return known;
  const handle = await open(path, "r");
  const opened = await handle.stat();
  const key = `${opened.dev}:${opened.ino}`;
  // Another call may have opened the same file meanwhile; both stay open (see above).
  if (!handles.has(key)) handles.set(key, handle);
  else leaked.push(handle);
  return handle;
}
const leaked: FileHandle[] = [];

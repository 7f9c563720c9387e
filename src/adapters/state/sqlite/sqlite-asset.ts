import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import Database from "better-sqlite3";
import { ShipsafeError } from "../../../domain/errors.js";
import type { AssetManifest, IntegrityReport, StateAsset } from "../../../ports/state-asset.js";
import { syncDir } from "../files/durable-copy.js";
import { assetNotFound } from "../files/file-tree.js";
import {
  type FingerprintOptions,
  liveBytes,
  metadataFingerprint,
  metadataFingerprintNow,
} from "../fingerprint.js";
import { copySqliteSnapshot } from "./sqlite-copy.js";
import { parseSqliteDetails, readSqliteFacts } from "./sqlite-facts.js";
import { holdSqliteRead } from "./sqlite-held-read.js";

export interface SqliteAssetOptions {
  readonly name: string;
  /** Absolute path of the live database file. */
  readonly path: string;
}

// One backup step copies every page under a single read transaction. A stepped backup restarts
// from page 1 whenever another process writes, so against a busy application it might never end.
// The price: the event loop is blocked while the pages are copied (about 0.1 s per 50 MB).
const ALL_PAGES = 0x7fffffff;

/**
 * A SQLite database as a state asset: captured with the online backup API while the application
 * keeps writing, restored by renaming a checked copy over the live file.
 */
export function createSqliteAsset(options: SqliteAssetOptions): StateAsset {
  const { name, path } = options;
  if (!isAbsolute(path)) throw new TypeError(`createSqliteAsset(${name}): ${path} is not absolute`);
  const fileName = `${name}.sqlite`;

  const openLive = async (): Promise<Database.Database> => {
    try {
      await stat(path);
      return new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "SQLITE_CANTOPEN") throw assetNotFound(name, path);
      throw error;
    }
  };

  return {
    name,
    kind: "sqlite",

    async capture(dir) {
      const file = join(dir, fileName);
      const live = await openLive();
      let journalMode: string;
      try {
        journalMode = live.pragma("journal_mode", { simple: true }) as string;
        await live.backup(file, { progress: () => ALL_PAGES });
      } finally {
        live.close();
      }
      const copy = new Database(file, { fileMustExist: true });
      let facts: ReturnType<typeof readSqliteFacts>;
      try {
        // A self-contained file: no -wal or -shm next to it in the snapshot.
        copy.pragma("journal_mode = DELETE");
        facts = readSqliteFacts(copy);
      } finally {
        copy.close();
      }
      // Hashed by the snapshot store while it stores the copy (SnapshotFile.sha256).
      const digest = { size: (await stat(file)).size, sha256: "" };
      return {
        name,
        kind: "sqlite",
        source: path,
        files: [{ path: fileName, ...digest }],
        size: digest.size,
        details: { schemaVersion: facts.schemaVersion, tables: facts.tables, journalMode },
      };
    },

    // The application must be stopped before this runs (the rollback plan's stop step): a
    // connection still open on the old file would keep writing to it, or into the new one through
    // a stale -wal. The copy is checked before it replaces anything, and the old database is
    // checkpointed first so that removing its -wal/-shm loses nothing if the rename never happens.
    async restore(dir, manifest) {
      const file = snapshotFile(manifest);
      const { journalMode } = parseSqliteDetails(manifest.details);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.restore-${randomBytes(4).toString("hex")}`;
      try {
        // The copy's content is proven by its chunk hashes; a quick check of its structure keeps
        // a rollback from waiting on a full index scan (integrity_check) of a large database.
        const copy = await copySqliteSnapshot(
          join(dir, file.path),
          tmp,
          file,
          journalMode,
          "quick",
        );
        if (copy.problems.length > 0) {
          throw new ShipsafeError({
            code: "SNAPSHOT_CORRUPT",
            kind: "runtime",
            message: `snapshot of ${name} failed its check before replacing ${path}: ${copy.problems.join("; ")}`,
            hint: "nothing was replaced; restore from another snapshot",
          });
        }
        await settle(name, path);
        for (const suffix of ["-wal", "-shm", "-journal"])
          await rm(`${path}${suffix}`, { force: true });
        await rename(tmp, path);
        await syncDir(dirname(path));
      } catch (error) {
        for (const suffix of ["", "-wal", "-shm", "-journal"]) {
          await rm(`${tmp}${suffix}`, { force: true });
        }
        throw error;
      }
    },

    async restoreInto(dir, manifest, sandboxDir) {
      const file = snapshotFile(manifest);
      const expected = parseSqliteDetails(manifest.details);
      await mkdir(sandboxDir, { recursive: true });
      const target = join(sandboxDir, fileName);
      const copy = await copySqliteSnapshot(
        join(dir, file.path),
        target,
        file,
        expected.journalMode,
        // A drill has time: the full check, indexes included.
        "full",
      );
      const checks: IntegrityReport["checks"][number][] = [
        {
          name: "sha256",
          ok: copy.digest.sha256 === file.sha256 && copy.digest.size === file.size,
          detail: `${copy.digest.sha256} (manifest ${file.sha256})`,
        },
        {
          name: "integrity_check",
          ok: copy.problems.length === 0,
          detail: copy.problems.length === 0 ? "ok" : copy.problems.join("; "),
        },
      ];
      if (copy.facts !== undefined) {
        const { schemaVersion, tables } = copy.facts;
        checks.push({
          name: "schema version",
          ok: schemaVersion === expected.schemaVersion,
          detail: `${schemaVersion} (manifest ${expected.schemaVersion ?? "missing"})`,
        });
        const names = new Set([...Object.keys(tables), ...Object.keys(expected.tables ?? {})]);
        for (const table of [...names].sort()) {
          const rows = tables[table];
          const want = expected.tables?.[table];
          checks.push({
            name: `rows ${table}`,
            ok: rows === want,
            detail: `${rows ?? "no such table"} (manifest ${want ?? "no such table"})`,
          });
        }
      }
      return { ok: checks.every((check) => check.ok), checks };
    },

    // A racy moment (a write in the last ~100 ms) is waited out once, not twice: the wait only
    // lets a database written just before the snapshot, then left alone, record a fingerprint
    // for the next one to reuse (a racy fingerprint matches none recorded). Under steady writes
    // every wait ends racy again; the second cost another ~100 ms of every snapshot.
    fingerprint: () => fingerprintOf(path, 1),

    async open() {
      // Without the in-place read (other readers hold the WAL, or the write lock is not had in
      // time) the snapshot falls back to `capture`, which reports any real problem.
      const held = await holdSqliteRead(path, () =>
        metadataFingerprintNow(fingerprintPaths(path), fingerprintOptions(path)),
      ).catch(() => undefined);
      if (held === undefined) return undefined;
      const size = held.pageSize * held.pageCount;
      const { schemaVersion, tables } = held.facts;
      let released = false;
      return {
        manifest: {
          name,
          kind: "sqlite",
          source: path,
          files: [{ path: fileName, size, sha256: "" }],
          size,
          details: { schemaVersion, tables, journalMode: held.journalMode },
        },
        fingerprint: held.fingerprint,
        async openFile(file) {
          if (file !== fileName) throw new Error(`${name} has no file ${file}`);
          let position = 0;
          return {
            async read(into, offset, length) {
              const n = await held.read(into, offset, length, position);
              position += n;
              return n;
            },
            close: async () => undefined,
          };
        },
        async release() {
          if (released) return;
          released = true;
          held.release();
        },
      };
    },
    // The backup copy holds the database's pages, including those still in its WAL.
    size: () => liveBytes([options.path, `${options.path}-wal`]),
    async inspect() {
      const live = await openLive();
      try {
        const { schemaVersion, tables } = readSqliteFacts(live);
        return { schemaVersion, tables };
      } finally {
        live.close();
      }
    },
  };
}

/**
 * The database and its WAL: a commit appends to the WAL (or rewrites the file), a checkpoint
 * rewrites the file; either changes a size or a nanosecond mtime. Not the ctime: every open, even
 * a read-only one, touches the WAL's ctime without changing its content.
 */
function fingerprintOf(path: string, maxWaits?: number): Promise<string | undefined> {
  return metadataFingerprint(fingerprintPaths(path), { ...fingerprintOptions(path), maxWaits });
}

function fingerprintPaths(path: string): string[] {
  return [path, `${path}-wal`, `${path}-journal`];
}

function fingerprintOptions(path: string): FingerprintOptions {
  return {
    ctime: false,
    // Opening the database (as the capture does) may create an empty -wal where none was.
    emptyIsAbsent: [`${path}-wal`, `${path}-journal`],
  };
}

function snapshotFile(manifest: AssetManifest): AssetManifest["files"][number] {
  const [file, ...rest] = manifest.files;
  if (file === undefined || rest.length > 0 || file.path !== `${manifest.name}.sqlite`) {
    throw new ShipsafeError({
      code: "SNAPSHOT_CORRUPT",
      kind: "runtime",
      message: `snapshot asset ${manifest.name} should hold exactly ${manifest.name}.sqlite; it lists ${manifest.files.map((f) => f.path).join(", ") || "no files"}`,
      hint: "the manifest was altered or written by another tool; restore from another snapshot",
    });
  }
  return file;
}

/**
 * Brings the old database to a state where its -wal/-shm/-journal can be deleted without loss:
 * opening it replays a hot journal, the checkpoint folds the WAL into the file. Refuses when a
 * writer still holds it; a database too broken to open is simply replaced.
 */
async function settle(name: string, path: string): Promise<void> {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
  } catch {
    return;
  }
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
    db.pragma("wal_checkpoint(TRUNCATE)");
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new ShipsafeError(
        {
          code: "ASSET_IN_USE",
          kind: "refused",
          message: `state asset ${name}: ${path} is being written by another process`,
          hint: "stop the application before restoring its database",
        },
        { cause: error },
      );
    }
  } finally {
    db.close();
  }
}

import { access, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { ScratchDatabase, ScratchDatabases } from "../../../ports/scratch-database.js";
import type { SnapshotStore } from "../../../ports/snapshot-store.js";
import { materializeAssetFile } from "../snapshot-file.js";
import { readSqliteSchema } from "./sqlite-schema.js";

export interface SqliteScratchOptions {
  /** Absolute path of the live database file (opened read-only, copied with the backup API). */
  readonly path: string;
  /** The state asset holding this database in snapshots. */
  readonly assetName: string;
  readonly snapshots?: Pick<SnapshotStore, "materialize">;
  /** Where scratch copies go (default: the OS temp dir). */
  readonly tempDir?: string;
}

/**
 * Scratch copies of a SQLite database in a temp dir: the live file through the online backup API
 * (consistent while the service writes, the live file never opened for writing), or the file a
 * snapshot holds.
 */
export function createSqliteScratchDatabases(options: SqliteScratchOptions): ScratchDatabases {
  return {
    dialect: "sqlite",
    async create(from) {
      const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), "shipsafe-scratch-"));
      const file = join(dir, "scratch.sqlite");
      try {
        if (from?.snapshotId) {
          if (!options.snapshots) throw new Error("sqlite scratch: no snapshot store given");
          const snapFile = await materializeAssetFile(
            options.snapshots,
            from.snapshotId,
            options.assetName,
            join(dir, "snapshot"),
          );
          await rename(snapFile, file);
          await rm(join(dir, "snapshot"), { recursive: true, force: true });
        } else {
          await copyLive(options.path, file);
        }
        return openScratch(file, dir);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

/**
 * Copies the live database; one that does not exist yet (before the first deploy creates it) is
 * an empty database, as the first migration will find it.
 */
async function copyLive(path: string, to: string): Promise<void> {
  try {
    await access(path);
  } catch {
    new Database(to).close();
    return;
  }
  const live = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    await live.backup(to);
  } finally {
    live.close();
  }
}

function openScratch(file: string, dir: string): ScratchDatabase {
  const db = new Database(file, { fileMustExist: true });
  let dropped = false;
  return {
    async exec(sql) {
      db.exec(sql);
    },
    async schema() {
      return readSqliteSchema(db);
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

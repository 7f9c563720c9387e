export { builtModule } from "../../../../test/helpers/built-module.js";

import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import type { StateAsset } from "../../../ports/state-asset.js";
import { createCodec } from "../../codec/codec.js";
import { openLocalPackStore } from "../../objects/local-packs/local-pack-store.js";
import { createFilesAsset } from "../../state/files/files-asset.js";
import { createSqliteAsset } from "../../state/sqlite/sqlite-asset.js";
import { openCasSnapshotStore } from "./cas-snapshot-store.js";

export const root = resolve(import.meta.dirname, "../../../..");
export const meta = { env: "production", service: "shop", reason: "test" };

/** The CAS store wired as `composition/environment.ts` wires it, under `casRoot`. */
export async function openCas(casRoot: string) {
  const objects = await openLocalPackStore(join(casRoot, "objects"));
  const store = await openCasSnapshotStore(casRoot, {
    objects,
    codec: createCodec(),
  });
  return { objects, store };
}

/** An app directory's protected state: `app.db` (sqlite) and `config/` (files). */
export function appAssets(appDir: string): StateAsset[] {
  return [
    createSqliteAsset({ name: "db", path: join(appDir, "app.db") }),
    createFilesAsset({ name: "config", paths: [join(appDir, "config")], baseDir: appDir }),
  ];
}

/** A WAL database of `rows` random 8 KiB blobs (about rows × 8.2 KiB). */
export function makeBlobDb(path: string, rows: number): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
      INSERT INTO blobs (b) SELECT randomblob(8192) FROM n;`);
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of a database file: "ok" or the problems joined. */
export function integrityOf(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("; ");
  } finally {
    db.close();
  }
}

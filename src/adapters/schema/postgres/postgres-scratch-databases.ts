import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { ScratchDatabase, ScratchDatabases } from "../../../ports/scratch-database.js";
import type { SnapshotStore } from "../../../ports/snapshot-store.js";
import { type PgConnection, pgConnection, quoteIdent } from "../../state/postgres/pg-connection.js";
import { psqlValue, runPgTool } from "../../state/postgres/pg-tools.js";
import { materializeAssetFile } from "../snapshot-file.js";
import { readPostgresSchema } from "./postgres-schema.js";

export interface PostgresScratchOptions {
  /** postgres://user:password@host:port/db of the live database; the password goes to PGPASSWORD. */
  readonly url: string;
  /** A database on the same server to run CREATE/DROP DATABASE from (default `postgres`). */
  readonly maintenanceDatabase?: string;
  /** The state asset holding this database in snapshots (a pg_dump custom-format file). */
  readonly assetName: string;
  readonly snapshots?: Pick<SnapshotStore, "materialize">;
}

const PRE_RESTORE = ["--no-owner", "--no-privileges", "--exit-on-error"];

/**
 * Scratch databases on the live server, named `<db>_shipsafe_scratch_<hex>`: a copy of the live
 * database (CREATE DATABASE ... TEMPLATE when nobody is connected to it, else pg_dump | pg_restore,
 * which reads the live database in one snapshot and never writes it), or pg_restore of a snapshot's
 * dump. The caller drops them; a failed creation drops what it made.
 */
export function createPostgresScratchDatabases(options: PostgresScratchOptions): ScratchDatabases {
  const live = pgConnection(options.url);
  const admin = live.withDatabase(options.maintenanceDatabase ?? "postgres");
  return {
    dialect: "postgres",
    async create(from) {
      const name = `${live.database}_shipsafe_scratch_${randomBytes(4).toString("hex")}`;
      const scratch = live.withDatabase(name);
      const work = await mkdtemp(join(tmpdir(), "shipsafe-pgscratch-"));
      try {
        if (from?.snapshotId) {
          if (!options.snapshots) throw new Error("postgres scratch: no snapshot store given");
          const dump = await materializeAssetFile(
            options.snapshots,
            from.snapshotId,
            options.assetName,
            join(work, "snapshot"),
          );
          await psqlValue(admin, `CREATE DATABASE ${quoteIdent(name)}`);
          await runPgTool("pg_restore", [...PRE_RESTORE, "--dbname", scratch.url, dump], scratch);
        } else {
          await copyLive(live, admin, scratch, work);
        }
        return openScratch(scratch, admin, work);
      } catch (error) {
        await dropDatabase(admin, name).catch(() => undefined);
        await rm(work, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

async function copyLive(
  live: PgConnection,
  admin: PgConnection,
  scratch: PgConnection,
  work: string,
): Promise<void> {
  try {
    await psqlValue(
      admin,
      `CREATE DATABASE ${quoteIdent(scratch.database)} TEMPLATE ${quoteIdent(live.database)}`,
    );
    return;
  } catch {
    // The template is in use (the service is connected): copy through a dump instead.
  }
  const dump = join(work, "live.dump");
  await runPgTool(
    "pg_dump",
    ["--format=custom", "--no-owner", "--no-privileges", "--file", dump, "--dbname", live.url],
    live,
  );
  await psqlValue(admin, `CREATE DATABASE ${quoteIdent(scratch.database)}`);
  await runPgTool("pg_restore", [...PRE_RESTORE, "--dbname", scratch.url, dump], scratch);
}

function openScratch(scratch: PgConnection, admin: PgConnection, work: string): ScratchDatabase {
  let dropped = false;
  let n = 0;
  return {
    async exec(sql) {
      // A file, not -c: psql sends each statement on its own, so CREATE INDEX CONCURRENTLY works.
      const file = join(work, `exec-${n++}.sql`);
      await writeFile(file, sql);
      try {
        await runPgTool(
          "psql",
          ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", scratch.url, "-f", file],
          scratch,
        );
      } catch (error) {
        throw sqlFailed(error);
      }
    },
    schema() {
      return readPostgresSchema((query) => psqlValue(scratch, query));
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await dropDatabase(admin, scratch.database);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** The server's own ERROR line, without psql's file prefix or the scratch database's URL. */
function sqlFailed(error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  const found = /ERROR:\s+(.*?)(?: \| |$)/.exec(text);
  return new ShipsafeError(
    {
      code: "SCRATCH_SQL_FAILED",
      kind: "runtime",
      message: found?.[1] ?? text,
      hint: "fix the migration's SQL; it failed on a scratch copy, the live database was not touched",
    },
    { cause: error },
  );
}

function dropDatabase(admin: PgConnection, name: string): Promise<string> {
  return psqlValue(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

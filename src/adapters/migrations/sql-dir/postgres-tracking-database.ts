import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { PgConnection } from "../../state/postgres/pg-connection.js";
import { psqlValue, runPgTool } from "../../state/postgres/pg-tools.js";
import {
  TRACKING_TABLE,
  type TrackedMigration,
  type TrackingDatabase,
} from "./tracking-database.js";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE} (
  id text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  down_sql text
)`;

const SELECT_APPLIED = `SELECT coalesce(json_agg(json_build_object(
  'id', id, 'name', name, 'checksum', checksum,
  'appliedAt', to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'downSql', down_sql) ORDER BY id), '[]'::json) FROM ${TRACKING_TABLE}`;

/** psql that stops at the first error, ignores ~/.psqlrc and discards query output. */
const PSQL = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"];

/**
 * A PostgreSQL database as a migration target, through psql (argv, password in PGPASSWORD). A
 * migration and its tracking row run in one transaction (`psql -1`); one that contains a statement
 * PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, ...) runs statement by
 * statement, and its tracking row is written after it succeeded.
 */
export function createPostgresTrackingDatabase(
  conn: PgConnection,
  timeoutMs = 60 * 60_000,
): TrackingDatabase {
  const psql = (args: readonly string[]): Promise<string> =>
    runPgTool("psql", [...PSQL, "-d", conn.url, ...args], conn, timeoutMs);

  // The script goes through a file named like the migration, so psql's errors name it.
  const withScriptFile = async <T>(
    name: string,
    sql: string,
    body: (file: string) => Promise<T>,
  ): Promise<T> => {
    const dir = await mkdtemp(join(tmpdir(), "shipsafe-migrate-"));
    try {
      const file = join(dir, name);
      await writeFile(file, sql, { mode: 0o600 });
      return await body(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  return {
    label: conn.url,

    async applied() {
      const exists = await psqlValue(conn, `SELECT to_regclass('${TRACKING_TABLE}') IS NOT NULL`);
      if (exists !== "t") return [];
      return JSON.parse(await psqlValue(conn, SELECT_APPLIED)) as TrackedMigration[];
    },

    async apply(script, row) {
      const record = `INSERT INTO ${TRACKING_TABLE} (id, name, checksum, down_sql) VALUES (${literal(row.id)}, ${literal(row.name)}, ${literal(row.checksum)}, ${row.downSql === null ? "NULL" : utf8Literal(row.downSql)})`;
      await withScriptFile(basename(script.file), script.sql, async (file) => {
        if (script.noTransaction) {
          await psql(["-f", file]);
          await psql(["-1", "-c", CREATE_TABLE, "-c", record]);
        } else {
          await psql(["-1", "-c", CREATE_TABLE, "-f", file, "-c", record]);
        }
      });
    },

    async revert(script) {
      const unrecord = `DELETE FROM ${TRACKING_TABLE} WHERE id = ${literal(script.id)}`;
      await withScriptFile(basename(script.file), script.sql, async (file) => {
        if (script.noTransaction) {
          await psql(["-f", file]);
          await psql(["-c", unrecord]);
        } else {
          await psql(["-1", "-f", file, "-c", unrecord]);
        }
      });
    },
  } satisfies TrackingDatabase;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Any text as a literal that survives every quoting rule: its UTF-8 bytes in base64. */
function utf8Literal(text: string): string {
  return `convert_from(decode('${Buffer.from(text, "utf8").toString("base64")}', 'base64'), 'UTF8')`;
}

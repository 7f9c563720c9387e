import { ShipsafeError } from "../../../domain/errors.js";

/** How the PostgreSQL tools are told where to connect: the password never goes on a command line. */
export interface PgConnection {
  /** `postgres://user@host:port/db` without the password (safe for argv and messages). */
  readonly url: string;
  readonly database: string;
  /** Environment for psql/pg_dump/pg_restore: PGPASSWORD when the URL had one. */
  readonly env: Readonly<Record<string, string>>;
  /** The same server, another database (for createdb/rename/drop from outside the target). */
  withDatabase(name: string): PgConnection;
}

/** Splits a postgres:// URL into a password-free URL plus PGPASSWORD. */
export function pgConnection(url: string): PgConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShipsafeError({
      code: "PG_URL_INVALID",
      kind: "config",
      message: "the postgres URL of a state asset cannot be parsed",
      hint: "use postgres://user:password@host:port/database",
    });
  }
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw new ShipsafeError({
      code: "PG_URL_INVALID",
      kind: "config",
      message: `the postgres URL ${parsed.toString()} names no database`,
      hint: "end the URL with /<database>",
    });
  }
  const env: Record<string, string> = password ? { PGPASSWORD: password } : {};
  const make = (db: string): PgConnection => {
    const copy = new URL(parsed.toString());
    copy.pathname = `/${encodeURIComponent(db)}`;
    return { url: copy.toString(), database: db, env, withDatabase: make };
  };
  return make(database);
}

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { PgConnection } from "./pg-connection.js";

const SERVER_BIN = "/usr/lib/postgresql/15/bin";

/** Finds a PostgreSQL client tool: PATH first (Debian's wrappers), then the server's bin dir. */
export function pgTool(name: "psql" | "pg_dump" | "pg_restore"): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  if (existsSync(join(SERVER_BIN, name))) return join(SERVER_BIN, name);
  throw new ShipsafeError({
    code: "TOOL_MISSING",
    kind: "runtime",
    message: `${name} is not installed`,
    hint: "install the PostgreSQL client tools (Debian: apt-get install postgresql-client)",
  });
}

/** Runs a PostgreSQL tool with argv (never a shell), a timeout, and the connection's env. */
export function runPgTool(
  tool: "psql" | "pg_dump" | "pg_restore",
  args: readonly string[],
  conn: PgConnection,
  timeoutMs = 30 * 60_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      pgTool(tool),
      [...args],
      {
        env: { ...process.env, ...conn.env, PGCONNECT_TIMEOUT: "10" },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new ShipsafeError(
              {
                code: "PG_TOOL_FAILED",
                kind: "runtime",
                message: `${tool} failed on ${conn.url}: ${tail(stderr) || error.message}`,
                hint: "check that the database server is up and the URL's user may do this",
              },
              { cause: error },
            ),
          );
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** Runs one SQL statement through psql and returns its single text result (unaligned, tuples only). */
export async function psqlValue(conn: PgConnection, sql: string): Promise<string> {
  const out = await runPgTool(
    "psql",
    ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn.url, "-c", sql],
    conn,
  );
  return out.trim();
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}

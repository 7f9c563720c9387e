import { spawn } from "node:child_process";
import { ShipsafeError } from "../../../domain/errors.js";
import type { PgConnection } from "./pg-connection.js";
import { pgTool } from "./pg-tools.js";

/**
 * Holds a REPEATABLE READ transaction open in a psql session and exports its snapshot, so the row
 * counts read here and the pg_dump run with `--snapshot` see exactly the same data.
 */
export async function withExportedSnapshot<T>(
  conn: PgConnection,
  body: (snapshotId: string, query: (sql: string) => Promise<string>) => Promise<T>,
): Promise<T> {
  const child = spawn(
    pgTool("psql"),
    ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conn.url],
    {
      env: { ...process.env, ...conn.env, PGCONNECT_TIMEOUT: "10" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ marker: string; resolve: (line: string) => void }> = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const w of [...waiters]) {
      const at = stdout.indexOf(w.marker);
      const end = at >= 0 ? stdout.indexOf("\n", at) : -1;
      if (end >= 0) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(stdout.slice(at + w.marker.length, end));
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
  let counter = 0;
  const query = (sql: string): Promise<string> => {
    const marker = `@@shipsafe-${++counter}@@`;
    const result = new Promise<string>((resolve, reject) => {
      waiters.push({ marker, resolve });
      void exited.then((code) =>
        reject(
          new ShipsafeError({
            code: "PG_TOOL_FAILED",
            kind: "runtime",
            message: `psql on ${conn.url} exited (${code}): ${stderr.trim().split("\n").slice(-2).join(" | ")}`,
            hint: "check that the database server is up and the URL's user may read every table",
          }),
        ),
      );
    });
    child.stdin.write(`SELECT '${marker}' || (${sql});\n`);
    return result;
  };
  try {
    child.stdin.write("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n");
    const snapshotId = await query("pg_export_snapshot()");
    return await body(snapshotId, query);
  } finally {
    child.stdin.end("COMMIT;\n");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

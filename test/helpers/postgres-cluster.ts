import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/demo/demo-workspace.js";

const run = promisify(execFile);
export const PG_BIN = "/usr/lib/postgresql/15/bin";

export interface PostgresCluster {
  readonly port: number;
  /** postgres://postgres:<password>@127.0.0.1:<port>/<db> */
  url(database: string): string;
  readonly password: string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL 15 cluster in a temp dir on a random loopback port, password auth for
 * TCP. As root, initdb/pg_ctl run as user `postgres` (initdb refuses root). Missing binaries fail
 * the test under CI=true rather than skipping it.
 */
export async function startPostgresCluster(password = "pg-test-pw"): Promise<PostgresCluster> {
  if (!existsSync(join(PG_BIN, "initdb"))) {
    throw new Error(`PostgreSQL 15 server binaries not found in ${PG_BIN}: install postgresql-15`);
  }
  const root = userInfo().uid === 0;
  const dir = await mkdtemp(join(tmpdir(), "shipsafe-pg-"));
  const data = join(dir, "data");
  const pwfile = join(dir, "pw");
  await import("node:fs/promises").then((fs) => fs.writeFile(pwfile, password));
  if (root) {
    const { uid, gid } = await idsOf("postgres");
    await chown(dir, uid, gid);
    await chown(pwfile, uid, gid);
  }
  await chmod(dir, 0o700);
  const as = (bin: string, args: string[]) =>
    root
      ? run("runuser", ["-u", "postgres", "--", join(PG_BIN, bin), ...args])
      : run(join(PG_BIN, bin), args);
  await as("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${pwfile}`,
    "-E",
    "UTF8",
  ]);
  const port = await freePort();
  await as("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    port,
    password,
    url: (database) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    async stop() {
      await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run("id", ["-u", user]);
  const { stdout: gid } = await run("id", ["-g", user]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Runs SQL against a database of the cluster (psql, argv, password through the environment). */
export async function sql(
  cluster: PostgresCluster,
  database: string,
  statement: string,
): Promise<string> {
  const { stdout } = await run(
    "psql",
    [
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(cluster.port),
      "-U",
      "postgres",
      "-d",
      database,
      "-c",
      statement,
    ],
    { env: { ...process.env, PGPASSWORD: cluster.password } },
  );
  return stdout.trim();
}

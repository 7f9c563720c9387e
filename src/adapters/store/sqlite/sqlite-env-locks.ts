import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type Database from "better-sqlite3";
import type { EnvLocks, HeldLock, LockAttempt, LockHolder } from "../../../ports/env-lock.js";

interface LockRow {
  env: string;
  pid: number;
  host: string;
  actor: string;
  command: string;
  acquired_at: string;
  token: string;
}

/** Whether a process with `pid` exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") return true;
    throw error;
  }
}

/**
 * Environment locks as rows of `env_locks`, taken in an IMMEDIATE transaction. A holder on this
 * host whose pid is gone is stale and taken over; holders on other hosts are never presumed dead.
 */
export function sqliteEnvLocks(
  db: Database.Database,
  isAlive: (pid: number) => boolean = processAlive,
): EnvLocks {
  const select = db.prepare("SELECT * FROM env_locks WHERE env = ?");
  const selectAll = db.prepare("SELECT * FROM env_locks ORDER BY env");
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO env_locks (env, pid, host, actor, command, acquired_at, token)
     VALUES (@env, @pid, @host, @actor, @command, @acquiredAt, @token)`,
  );
  const releaseOwn = db.prepare("DELETE FROM env_locks WHERE env = ? AND token = ?");
  const remove = db.prepare("DELETE FROM env_locks WHERE env = ?");
  const thisHost = hostname();

  const isStale = (row: LockRow): boolean => row.host === thisHost && !isAlive(row.pid);
  const toHeld = (row: LockRow): HeldLock => ({
    env: row.env,
    ...toHolder(row),
    stale: isStale(row),
  });

  const acquire = db.transaction(
    (env: string, holder: LockHolder): LockHolder | { token: string; stale?: LockHolder } => {
      const row = select.get(env) as LockRow | undefined;
      if (row && !isStale(row)) return toHolder(row);
      const token = randomUUID();
      upsert.run({ env, ...holder, token });
      return row ? { token, stale: toHolder(row) } : { token };
    },
  );

  const forceRelease = db.transaction((env: string) => {
    const row = select.get(env) as LockRow | undefined;
    if (row) remove.run(env);
    return row && toHolder(row);
  });

  return {
    async acquire(env, holder): Promise<LockAttempt> {
      const result = acquire.immediate(env, holder);
      if (!("token" in result)) return { acquired: false, holder: result };
      const release = async (): Promise<void> => {
        releaseOwn.run(env, result.token);
      };
      return result.stale
        ? { acquired: true, release, tookOverFrom: result.stale }
        : { acquired: true, release };
    },
    holder: async (env) => {
      const row = select.get(env) as LockRow | undefined;
      return row && toHeld(row);
    },
    list: async () => (selectAll.all() as LockRow[]).map(toHeld),
    forceRelease: async (env) => forceRelease.immediate(env),
  };
}

function toHolder(row: LockRow): LockHolder {
  return {
    pid: row.pid,
    host: row.host,
    actor: row.actor,
    command: row.command,
    acquiredAt: row.acquired_at,
  };
}

import { ShipsafeError } from "../domain/errors.js";
import type { EnvLocks, LockHolder } from "../ports/env-lock.js";

export interface MutationDeps {
  readonly locks: EnvLocks;
  /** Writes the signed ledger checkpoint that ends every mutating command. */
  readonly seal: () => Promise<unknown>;
  /** Records (in the ledger) that a stale lock left by a dead process was taken over. */
  readonly recordTakeover?: (staleHolder: LockHolder) => Promise<unknown>;
}

/** The refusal an operator sees when another shipsafe process holds the environment. */
export function lockHeldError(env: string, holder: LockHolder): ShipsafeError {
  return new ShipsafeError({
    code: "LOCK_HELD",
    kind: "refused",
    message: `environment "${env}" is locked by ${holder.actor} (pid ${holder.pid} on ${holder.host}, running "${holder.command}") since ${holder.acquiredAt}`,
    hint: `wait for that command to finish; if its process is gone, run "shipsafe lock break --env ${env}"`,
  });
}

/**
 * Runs one mutating operation on an environment: holds the environment's lock for its whole
 * duration, and seals the ledger at the end whether the work succeeded or not.
 */
export async function runMutation<T>(
  deps: MutationDeps,
  env: string,
  holder: LockHolder,
  work: () => Promise<T>,
): Promise<T> {
  const attempt = await deps.locks.acquire(env, holder);
  if (!attempt.acquired) throw lockHeldError(env, attempt.holder);
  try {
    if (attempt.tookOverFrom && deps.recordTakeover)
      await deps.recordTakeover(attempt.tookOverFrom);
    return await work();
  } finally {
    try {
      await deps.seal();
    } finally {
      await attempt.release();
    }
  }
}

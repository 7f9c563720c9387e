import type { Command } from "commander";
import { ShipsafeError } from "../../domain/errors.js";
import type { LockHolder } from "../../ports/env-lock.js";
import type { Action } from "../define-action.js";
import { withMutation, withServices } from "../open-services.js";
import { durationFlag } from "../option-values.js";

export function registerLockCommands(program: Command, action: Action): void {
  const lock = program
    .command("lock")
    .description("environment locks: one mutating operation per environment at a time");

  lock
    .command("status")
    .description("show who holds which environment lock")
    .action(
      action(async (ctx) =>
        withServices(ctx, { mustExist: true }, async (services) => {
          const locks = await services.store.locks.list();
          const human =
            locks.length === 0
              ? "no environment is locked"
              : locks
                  .map(
                    (l) =>
                      `${l.env}: ${describeHolder(l)}${l.stale ? " (stale: process gone)" : ""}`,
                  )
                  .join("\n");
          return { exitCode: 0, json: { locks } as never, human };
        }),
      ),
    );

  lock
    .command("hold")
    .description("freeze an environment: hold its lock so no deploy or rollback can start")
    .option("--for <duration>", "release after this long (e.g. 30m); default: until Ctrl-C")
    .option("--reason <text>", "why the environment is frozen (recorded in the ledger)")
    .action(
      action(async (ctx, options: { for?: string; reason?: string }) => {
        const { name } = await ctx.environment();
        const ms = options.for === undefined ? undefined : durationFlag(options.for, "--for");
        return withMutation(ctx, name, async (services) => {
          const reason = options.reason ?? "";
          await services.record({
            actor: ctx.actor(),
            env: name,
            kind: "lock.hold",
            subject: name,
            data: { reason, forMs: ms ?? null },
          });
          await services.seal();
          ctx.out.note(
            `holding the lock on "${name}"${ms === undefined ? " until Ctrl-C" : ` for ${options.for}`}`,
          );
          const startedAt = Date.now();
          await waitFor(ms, ctx.abort.signal);
          const heldMs = Date.now() - startedAt;
          await services.record({
            actor: ctx.actor(),
            env: name,
            kind: "lock.released",
            subject: name,
            data: { heldMs, interrupted: ctx.abort.signal.aborted },
          });
          return {
            exitCode: 0,
            json: { ok: true, env: name, heldMs },
            human: `released the lock on "${name}" after ${Math.round(heldMs / 1000)}s`,
          };
        });
      }),
    );

  lock
    .command("break")
    .description("remove an environment lock whose holder is gone")
    .option("--force", "remove it even if the holder looks alive on this host")
    .action(
      action(async (ctx, options: { force?: boolean }) => {
        const { name } = await ctx.environment();
        return withServices(ctx, { mustExist: true }, async (services) => {
          const holder = await services.store.locks.holder(name);
          if (!holder) {
            return {
              exitCode: 0,
              json: { ok: true, env: name, removed: null },
              human: `"${name}" is not locked`,
            };
          }
          if (!holder.stale && !options.force) {
            throw new ShipsafeError({
              code: "LOCK_HOLDER_ALIVE",
              kind: "refused",
              message: `the lock on "${name}" is held by a process that may still be running: ${describeHolder(holder)}`,
              hint: "let it finish or stop it; pass --force only if you are sure it no longer works on this environment (a holder on another host is never presumed dead)",
            });
          }
          const removed = await services.store.locks.forceRelease(name);
          await services.record({
            actor: ctx.actor(),
            env: name,
            kind: "lock.broken",
            subject: name,
            data: { holder: (removed ?? holder) as never, forced: options.force === true },
          });
          await services.seal();
          return {
            exitCode: 0,
            json: { ok: true, env: name, removed: (removed ?? holder) as never },
            human: `removed the lock on "${name}" (was: ${describeHolder(holder)})`,
          };
        });
      }),
    );
}

function describeHolder(h: LockHolder): string {
  return `${h.actor}, pid ${h.pid} on ${h.host}, "${h.command}", since ${h.acquiredAt}`;
}

function waitFor(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // With no duration an interval keeps the process alive until a signal arrives.
    const timer = ms === undefined ? setInterval(() => {}, 60_000) : setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      clearInterval(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

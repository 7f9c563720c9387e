import type { Services } from "../composition/services.js";
import type { CommandContext } from "./context.js";

/** Opens the embedded services for a command, closing them when the body is done. */
export async function withServices<T>(
  ctx: CommandContext,
  options: { mustExist: boolean },
  body: (services: Services) => Promise<T>,
): Promise<T> {
  const stateDir = options.mustExist ? ctx.requireStateDir() : ctx.stateDir;
  const { openServices } = await import("../composition/services.js");
  // Delegate, so secrets registered later (config loaded after this point) are still masked.
  const redactor = {
    redactText: (text: string) => ctx.out.redact.redactText(text),
    redactJson: <T>(value: T): T => ctx.out.redact.redactJson(value),
  };
  const services = await openServices(stateDir, redactor, { command: ctx.commandLine });
  try {
    return await body(services);
  } finally {
    await services.close();
  }
}

/** Runs a mutating body under the environment lock; the ledger is sealed at the end. */
export async function withMutation<T>(
  ctx: CommandContext,
  env: string,
  body: (services: Services) => Promise<T>,
): Promise<T> {
  return withServices(ctx, { mustExist: false }, async (services) => {
    const { runMutation } = await import("../app/run-mutation.js");
    services.logger.log("info", "mutation started", { env, command: ctx.commandLine });
    try {
      return await runMutation(
        {
          locks: services.store.locks,
          seal: () => services.seal(),
          recordTakeover: (stale) =>
            services.record({
              actor: ctx.actor(),
              env,
              kind: "lock.taken-over",
              subject: env,
              data: { from: { ...stale } },
            }),
        },
        env,
        ctx.lockHolder(),
        () => body(services),
      );
    } finally {
      services.logger.log("info", "mutation finished", { env });
    }
  });
}

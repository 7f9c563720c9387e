import type { EnvironmentPorts } from "../app/environment.js";
import type { Services } from "../composition/services.js";
import type { CommandContext } from "./context.js";
import { withMutation, withServices } from "./open-services.js";
import { createProgressRenderer } from "./progress-renderer.js";

/**
 * Opens the environment named by --env with its adapters. A mutating body runs under the
 * environment's lock and ends with a sealed ledger.
 */
export async function withEnvironment<T>(
  ctx: CommandContext,
  options: { mutating: boolean },
  body: (ports: EnvironmentPorts, services: Services) => Promise<T>,
): Promise<T> {
  const { name } = await ctx.environment();
  const loaded = await ctx.config();
  const open = async (services: Services): Promise<T> => {
    const { openEnvironment } = await import("../composition/environment.js");
    const ports = await openEnvironment(services, loaded, name, {
      actor: ctx.actor(),
      progress: createProgressRenderer(ctx.out),
    });
    return body(ports, services);
  };
  return options.mutating
    ? withMutation(ctx, name, open)
    : withServices(ctx, { mustExist: false }, open);
}

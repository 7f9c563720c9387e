import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import type { CommandOutcome } from "./output.js";

/** A command body: gets the context and the command's own options/arguments, returns an outcome. */
export type CommandBody<A extends unknown[]> = (
  ctx: CommandContext,
  ...args: A
) => Promise<CommandOutcome>;

/**
 * Wraps a command body for commander: the runner builds the context, renders the outcome, and
 * turns thrown errors into `error[CODE]` output and the documented exit code.
 */
export type Action = <A extends unknown[]>(
  body: CommandBody<A>,
) => (...commanderArgs: [...A, Command]) => Promise<void>;

import { type Command, CommanderError } from "commander";
import { ExitCode, isShipsafeError } from "../domain/errors.js";
import { CommandContext } from "./context.js";
import type { Action, CommandBody } from "./define-action.js";
import { toGlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";
import { Output } from "./output.js";
import { buildProgram } from "./program.js";

/** Runs one CLI invocation and returns its exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const early = earlyMode(argv, io);
  let output = new Output(io, early);
  let context: CommandContext | undefined;

  const action: Action =
    <A extends unknown[]>(body: CommandBody<A>) =>
    async (...args: [...A, Command]) => {
      const command = args[args.length - 1] as Command;
      const globals = toGlobalOptions(command.optsWithGlobals(), {
        NO_COLOR: io.env.NO_COLOR,
        isTTY: io.stderr.isTTY === true,
      });
      output = new Output(io, { json: globals.json, quiet: globals.quiet, color: globals.color });
      context = new CommandContext(io, globals, output, `shipsafe ${argv.join(" ")}`.trim());
      // Register env-file secrets before the command can print or record anything.
      await context.envFile();
      const outcome = await body(context, ...(args.slice(0, -1) as unknown as A));
      output.outcome(outcome);
      exitCode = outcome.exitCode;
    };

  const program = buildProgram(action, (root) => {
    root.exitOverride();
    root.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors are rendered by us, in the documented format (or as JSON).
      outputError: () => {},
    });
  });

  const stopOnSignal = (signal: NodeJS.Signals): void => {
    if (context && !context.abort.signal.aborted) {
      output.note(`received ${signal}: stopping and releasing locks...`);
      context.abort.abort(new Error(signal));
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", stopOnSignal);
  process.on("SIGTERM", stopOnSignal);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    exitCode = renderError(error, output);
  } finally {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
  }
  return exitCode;
}

function renderError(error: unknown, output: Output): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      return ExitCode.ok;
    }
    if (error.code === "commander.help") {
      // A command group run without a subcommand: its help was printed to stderr.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    output.error({
      code: "USAGE",
      message: error.message.replace(/^error: /, ""),
      hint: "run the command with --help to see its arguments and options",
    });
    return ExitCode.usage;
  }
  if (isShipsafeError(error)) {
    output.error({
      code: error.code,
      message: error.message,
      hint: error.hint,
      location: error.location,
      problems: error.problems,
    });
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.error({
    code: "INTERNAL",
    message: `unexpected failure: ${message}`,
    hint: "this is a bug in shipsafe; please report it with the command line and the log in .shipsafe/logs",
  });
  if (process.env.SHIPSAFE_DEBUG && error instanceof Error && error.stack) {
    output.note(error.stack);
  }
  return ExitCode.runtime;
}

/** Output mode before commander has parsed anything (for usage errors). */
function earlyMode(
  argv: readonly string[],
  io: CliIo,
): { json: boolean; quiet: boolean; color: boolean } {
  return {
    json: argv.includes("--json"),
    quiet: argv.includes("--quiet") || argv.includes("-q"),
    color:
      !argv.includes("--no-color") && io.env.NO_COLOR === undefined && io.stderr.isTTY === true,
  };
}

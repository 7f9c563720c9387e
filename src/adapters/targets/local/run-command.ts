import { execFile } from "node:child_process";
import { targetErrors } from "./target-errors.js";

export interface CommandOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an argv (never through a shell) to completion within `timeoutMs`. A non-zero exit, a signal,
 * a timeout or a missing program is TARGET_COMMAND_FAILED carrying the tail of stderr.
 */
export function runCommand(
  argv: readonly string[],
  options: CommandOptions,
): Promise<CommandOutput> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("runCommand needs a non-empty argv");
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        reject(
          targetErrors.commandFailed(
            argv,
            describeFailure(error, options.timeoutMs, stderr),
            error,
          ),
        );
      },
    );
  });
}

function describeFailure(
  error: Error & { code?: unknown; killed?: boolean; signal?: unknown },
  timeoutMs: number,
  stderr: string,
): string {
  const tail = tailOf(stderr);
  const output = tail === "" ? "" : `: ${tail}`;
  if (error.code === "ENOENT") return "failed: program not found (is it installed and on PATH?)";
  if (error.code === "EACCES") return "failed: program is not executable";
  if (error.killed && error.signal === "SIGKILL") return `timed out after ${timeoutMs}ms${output}`;
  if (typeof error.code === "number") return `exited with code ${error.code}${output}`;
  if (typeof error.signal === "string") return `was killed by ${error.signal}${output}`;
  return `failed: ${error.message}${output}`;
}

/** The last lines of a command's stderr, short enough for an error message. */
export function tailOf(text: string, maxLines = 10, maxChars = 2000): string {
  const lines = text.trimEnd().split("\n").slice(-maxLines).join("\n");
  return lines.length > maxChars ? `…${lines.slice(-maxChars)}` : lines;
}

import { execFile } from "node:child_process";

/** How a short-lived program ended, with its whole (bounded) stdout and stderr. */
export interface ProcessResult {
  /** Set when the program could not be started: `program not found ...`. */
  readonly startError?: string;
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv (never through a shell) and collects its output; never throws for a failing program. */
export type ProcessRunner = (
  argv: readonly string[],
  options: {
    readonly cwd: string;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal | undefined;
    readonly env?: NodeJS.ProcessEnv;
  },
) => Promise<ProcessResult>;

/** Why spawning failed, in an operator's words. */
export function describeStartError(code: unknown, message: string): string {
  if (code === "ENOENT") return "program not found (is it installed and on PATH?)";
  if (code === "EACCES") return "program is not executable";
  return message;
}

/** The ProcessRunner over node:child_process execFile (SIGKILL on timeout or abort). */
export const execFileRunner: ProcessRunner = (argv, options) => {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("execFileRunner needs a non-empty argv");
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 8 * 1024 * 1024,
        encoding: "utf8",
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ exitCode: 0, timedOut: false, stdout, stderr });
          return;
        }
        const failure = error as Error & { code?: unknown; killed?: boolean; signal?: unknown };
        if (typeof failure.code === "string" && failure.code !== "ABORT_ERR") {
          resolve({
            startError: describeStartError(failure.code, failure.message),
            exitCode: undefined,
            timedOut: false,
            stdout,
            stderr,
          });
          return;
        }
        resolve({
          exitCode: typeof failure.code === "number" ? failure.code : undefined,
          timedOut: failure.killed === true || failure.code === "ABORT_ERR",
          stdout,
          stderr,
        });
      },
    );
  });
};

import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { CommandRun } from "../../../domain/gate/evaluate-command.js";
import type { CommandRunner } from "../../../ports/check-probes.js";
import { describeStartError } from "../process/run-process.js";
import { OutputTail } from "./output-tail.js";

/** Between SIGTERM and SIGKILL when an interrupted command's process group is stopped. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs check commands: argv without a shell, in their own process group (so a timeout also stops
 * what they started, e.g. `npm test`'s node), keeping only the tail of their output.
 */
export function createSpawnCommandRunner(options: {
  /** Relative working directories resolve against this (the config file's directory). */
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
}): CommandRunner {
  return {
    async run(argv, run) {
      const started = performance.now();
      const cwd = resolve(options.baseDir, run.cwd ?? ".");
      const ended = (fields: Partial<CommandRun>): CommandRun => ({
        exitCode: undefined,
        signal: undefined,
        timedOut: false,
        startError: undefined,
        outputTail: "",
        durationMs: Math.round(performance.now() - started),
        ...fields,
      });
      const isDir = await stat(cwd).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) return ended({ startError: `working directory ${cwd} does not exist` });
      const [program, ...args] = argv;
      if (program === undefined) return ended({ startError: "empty command" });
      if (run.signal?.aborted) return ended({ startError: "not started: interrupted" });

      const tail = new OutputTail();
      const child = spawn(program, args, {
        cwd,
        env: { ...(options.env ?? process.env), ...run.env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      child.stdout.on("data", (chunk: Buffer) => tail.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => tail.push(chunk));
      const killGroup = (signal: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup("SIGKILL");
      }, run.timeoutMs);
      let grace: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        killGroup("SIGTERM");
        grace = setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
      };
      run.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        return await new Promise<CommandRun>((done) => {
          child.once("error", (error: Error & { code?: unknown }) => {
            done(ended({ startError: describeStartError(error.code, error.message) }));
          });
          child.once("close", (code, signal) => {
            // Whatever the leader left running in its group goes too.
            killGroup("SIGKILL");
            done(
              ended({
                exitCode: code ?? undefined,
                signal: signal ?? undefined,
                timedOut,
                outputTail: tail.text(),
              }),
            );
          });
        });
      } finally {
        clearTimeout(timer);
        clearTimeout(grace);
        run.signal?.removeEventListener("abort", onAbort);
      }
    },
  } satisfies CommandRunner;
}

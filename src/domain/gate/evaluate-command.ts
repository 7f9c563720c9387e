import { formatDuration } from "../duration.js";
import type { CheckOutcome } from "./check-outcome.js";

/** How a command run ended, as the command runner reports it. */
export interface CommandRun {
  /** Undefined when it did not exit normally (signal, timeout, could not start). */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  /** Why it could not start: `program not found (is it installed and on PATH?)`, ... */
  readonly startError: string | undefined;
  /** The last lines of stdout and stderr, interleaved as they came. */
  readonly outputTail: string;
  readonly durationMs: number;
}

/** An argv as one readable line (for diagnostics only; it is never given to a shell). */
export function displayArgv(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg)))
    .join(" ");
}

/** A command passes when it exits with the expected code; otherwise its output tail says why. */
export function evaluateCommand(
  spec: {
    readonly command: readonly string[];
    readonly exitCode: number;
    readonly timeoutMs: number;
  },
  run: CommandRun,
): CheckOutcome {
  const shown = `\`${displayArgv(spec.command)}\``;
  const tail = run.outputTail.trimEnd();
  const tailLines = tail === "" ? [] : [`last output:\n${tail}`];
  const details = {
    command: [...spec.command],
    exitCode: run.exitCode ?? null,
    signal: run.signal ?? null,
    timedOut: run.timedOut,
    durationMs: run.durationMs,
    outputTail: tail,
  };
  if (run.startError !== undefined) {
    return {
      status: "fail",
      diagnostics: [`${shown} could not start: ${run.startError}`],
      details,
    };
  }
  if (run.timedOut) {
    return {
      status: "fail",
      diagnostics: [
        `${shown} did not finish within ${formatDuration(spec.timeoutMs)} and was killed`,
        ...tailLines,
        "find out why it hangs, or raise the check's timeout",
      ],
      details,
    };
  }
  if (run.exitCode === spec.exitCode) {
    return {
      status: "pass",
      diagnostics: [
        `${shown} exited ${run.exitCode} in ${formatDuration(Math.round(run.durationMs))}`,
      ],
      details,
    };
  }
  const how =
    run.exitCode !== undefined
      ? `exited ${run.exitCode} (expected ${spec.exitCode})`
      : `was killed by ${run.signal ?? "a signal"}`;
  return {
    status: "fail",
    diagnostics: [`${shown} ${how}`, ...tailLines, `run it by hand to see the whole output`],
    details,
  };
}

import type { ToolProbe } from "../../../ports/check-probes.js";
import type { ProcessRunner } from "../process/run-process.js";

/** Learns whether a program is installed, and its version output, by running it. */
export function createToolProbe(options: {
  readonly run: ProcessRunner;
  readonly cwd: string;
}): ToolProbe {
  return {
    async version(name, versionArgs, limits) {
      const result = await options.run([name, ...versionArgs], {
        cwd: options.cwd,
        timeoutMs: limits.timeoutMs,
        signal: limits.signal,
        env: { ...process.env, LC_ALL: "C" },
      });
      if (result.startError !== undefined) {
        return {
          found: false,
          error: result.startError.startsWith("program not found")
            ? "not found on PATH"
            : result.startError,
        };
      }
      if (result.timedOut) {
        return {
          found: false,
          error: `\`${name} ${versionArgs.join(" ")}\` did not answer in time`,
        };
      }
      return {
        found: true,
        exitCode: result.exitCode,
        output: `${result.stdout}\n${result.stderr}`.trim(),
      };
    },
  } satisfies ToolProbe;
}

import { displayArgv } from "../../../domain/gate/evaluate-command.js";
import type { CommandRunner } from "../../../ports/check-probes.js";
import type { MaintenanceAction, MaintenanceMode } from "../../../ports/maintenance.js";
import { maintenanceFailed } from "../maintenance-errors.js";

/**
 * Maintenance switched by the project's own commands (argv, no shell), run in the config file's
 * directory through the injected runner; a non-zero exit, a signal or the timeout is a failure
 * carrying the command's output tail.
 */
export function createCommandMaintenance(options: {
  readonly on: readonly string[];
  readonly off: readonly string[];
  readonly timeoutMs: number;
  readonly runner: CommandRunner;
}): MaintenanceMode {
  const argvOf = (action: MaintenanceAction) => (action === "on" ? options.on : options.off);
  return {
    kind: "command",
    describe: (action) => displayArgv(argvOf(action)),
    async set(action) {
      const argv = argvOf(action);
      const run = await options.runner.run(argv, { timeoutMs: options.timeoutMs });
      if (run.exitCode === 0) return { detail: `exit 0 in ${run.durationMs}ms` };
      const why = run.startError
        ? run.startError
        : run.timedOut
          ? `timed out after ${options.timeoutMs}ms`
          : run.signal
            ? `killed by ${run.signal}`
            : `exit ${run.exitCode}`;
      const tail = run.outputTail.trim();
      throw maintenanceFailed(action, displayArgv(argv), tail ? `${why}: ${tail}` : why);
    },
  };
}

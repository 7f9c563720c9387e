import { withMaxBackupAge } from "../../domain/gate/gate-plan.js";
import type { GateRun } from "../../domain/gate/gate-run.js";
import type { EnvironmentPorts } from "../environment.js";
import { type GateSetup, runGate } from "../gate/run-gate.js";

export interface ReleaseGateOptions {
  readonly version: string;
  /** The release gate: the config's `gates.release`, else the built-in one (see docs/gates.md). */
  readonly gate: GateSetup;
  /** Replaces the limit of every `backup-age` check (`release prepare --max-backup-age`). */
  readonly maxBackupAgeMs?: number | undefined;
  /** Interrupts the gate's checks (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

/** Runs the release gate for `version` through the one gate runner (stored, evidenced, recorded). */
export async function runReleaseGate(
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
): Promise<GateRun> {
  const plan =
    options.maxBackupAgeMs === undefined
      ? options.gate.plan
      : withMaxBackupAge(options.gate.plan, options.maxBackupAgeMs);
  const { run } = await runGate(ports, {
    ...options.gate,
    plan,
    version: options.version,
    signal: options.signal,
  });
  return run;
}

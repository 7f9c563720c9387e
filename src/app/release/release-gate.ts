import { randomBytes } from "node:crypto";
import { formatDuration } from "../../domain/duration.js";
import { type CheckResult, type GateRun, gatePassed } from "../../domain/gate/gate-run.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { EnvironmentPorts } from "../environment.js";
import { describeProbes } from "../health/wait-healthy.js";

export interface ReleaseGateOptions {
  readonly version: string;
  /** The newest snapshot must be younger than this (ms). */
  readonly maxBackupAgeMs: number;
}

type Check = (
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
) => Promise<Omit<CheckResult, "durationMs">>;

/** The checks of the built-in release gate, run concurrently. */
const RELEASE_CHECKS: readonly Check[] = [artifactCheck, currentHealthCheck, backupAgeCheck];

/** Runs the release gate for `version` and stores the run (issue 5 makes gates configurable). */
export async function runReleaseGate(
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
): Promise<GateRun> {
  const started = ports.clock.now();
  ports.progress.report({
    type: "step-started",
    step: "release gate",
    detail: `${RELEASE_CHECKS.length} checks`,
  });
  const checks = await Promise.all(
    RELEASE_CHECKS.map(async (check) => {
      const t0 = ports.clock.now().getTime();
      let result: Omit<CheckResult, "durationMs">;
      try {
        result = await check(ports, options);
      } catch (error) {
        result = {
          name: check.name.replace(/Check$/, ""),
          subsystem: "shipsafe",
          status: "error",
          diagnostics: [error instanceof Error ? error.message : String(error)],
        };
      }
      return { ...result, durationMs: ports.clock.now().getTime() - t0 };
    }),
  );
  const run: GateRun = {
    id: `gate-${started
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`,
    gate: "release",
    env: ports.env,
    startedAt: started.toISOString(),
    durationMs: ports.clock.now().getTime() - started.getTime(),
    checks,
    passed: gatePassed(checks),
  };
  ports.progress.report({
    type: "step-finished",
    step: "release gate",
    status: run.passed ? "succeeded" : "failed",
    detail: checks.map((c) => `${c.name}: ${c.status}`).join(", "),
  });
  const entry = await ports.record({
    kind: "gate.run",
    subject: "release",
    data: {
      gateRunId: run.id,
      version: options.version,
      passed: run.passed,
      failed: checks.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.name),
    },
    evidence: run as never,
  });
  await ports.store.gateRuns.put({
    id: run.id,
    gate: run.gate,
    env: run.env,
    startedAt: run.startedAt,
    passed: run.passed,
    doc: { ...(run as unknown as JsonObject), evidenceHash: entry.evidenceHash ?? null },
  });
  return run;
}

async function artifactCheck(
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
): Promise<Omit<CheckResult, "durationMs">> {
  const check = await ports.target.verifyRelease(options.version);
  return {
    name: "artifact",
    subsystem: "artifact",
    status: check.ok ? "pass" : "fail",
    diagnostics: check.ok
      ? [`release ${options.version} matches its checksummed file list`]
      : [
          ...check.problems,
          `re-add the release: shipsafe release add ${options.version} --from <dir>`,
        ],
  };
}

async function currentHealthCheck(
  ports: EnvironmentPorts,
): Promise<Omit<CheckResult, "durationMs">> {
  const current = await ports.target.current();
  if (!current) {
    return {
      name: "current-health",
      subsystem: "health",
      status: "pass",
      diagnostics: ["nothing deployed yet: first release"],
    };
  }
  const probes = await ports.health.probe();
  const ok = probes.every((p) => p.ok);
  return {
    name: "current-health",
    subsystem: "health",
    status: ok ? "pass" : "fail",
    diagnostics: ok
      ? [`${current} is healthy: ${describeProbes(probes)}`]
      : [
          `${current} is not healthy: ${describeProbes(probes)}`,
          "fix or roll back the running release before deploying a new one",
        ],
  };
}

async function backupAgeCheck(
  ports: EnvironmentPorts,
  options: ReleaseGateOptions,
): Promise<Omit<CheckResult, "durationMs">> {
  if (ports.assets.length === 0) {
    return {
      name: "backup-age",
      subsystem: "backup",
      status: "pass",
      diagnostics: ["no state assets configured"],
    };
  }
  const [newest] = await ports.snapshots.list({ env: ports.env });
  if (!newest) {
    return {
      name: "backup-age",
      subsystem: "backup",
      status: "warn",
      diagnostics: ["no snapshot yet: prepare takes the first one now"],
    };
  }
  const age = ports.clock.now().getTime() - Date.parse(newest.createdAt);
  const ok = age <= options.maxBackupAgeMs;
  return {
    name: "backup-age",
    subsystem: "backup",
    status: ok ? "pass" : "fail",
    diagnostics: ok
      ? [`newest snapshot ${newest.id} is ${formatDuration(age)} old`]
      : [
          `newest snapshot ${newest.id} is ${formatDuration(age)} old (limit ${formatDuration(options.maxBackupAgeMs)})`,
          "take one: shipsafe snapshot create",
        ],
  };
}

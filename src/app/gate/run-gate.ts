import { randomBytes } from "node:crypto";
import { blockingDependencies } from "../../domain/gate/check-order.js";
import { type CheckOutcome, checkResult, notRun } from "../../domain/gate/check-outcome.js";
import type { CheckSpec } from "../../domain/gate/check-spec.js";
import { type GateRuntime, gateEvidence } from "../../domain/gate/gate-evidence.js";
import type { GatePlan } from "../../domain/gate/gate-plan.js";
import {
  type CheckResult,
  failedChecks,
  type GateRun,
  gatePassed,
} from "../../domain/gate/gate-run.js";
import type { MigrationWaiver } from "../../domain/migrations/migration.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { CheckProbes } from "../../ports/check-probes.js";
import type { EnvironmentPorts } from "../environment.js";
import { runCheck } from "./run-check.js";

/** Everything a gate run needs besides the environment's ports. */
export interface GateSetup {
  readonly plan: GatePlan;
  readonly probes: CheckProbes;
  /** sha256 of the resolved config with secrets masked; null without a config. */
  readonly configHash: string | null;
  readonly migrationWaivers: readonly MigrationWaiver[];
  readonly runtime: GateRuntime;
  /** Masks secrets in what is stored outside the ledger (the gate-run record). */
  readonly redact?: <T>(value: T) => T;
}

export interface GateRequest extends GateSetup {
  /** The release version the gate runs for, if any. */
  readonly version?: string | undefined;
  /** Interrupts every running check (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

export interface GateOutcome {
  readonly run: GateRun;
  /** The evidence document's hash, referenced by the ledger entry. */
  readonly evidenceHash: string;
  readonly ledgerSeq: number;
}

/**
 * Runs a gate: every check concurrently (a check with `after` waits for those), each bounded by
 * its own timeout; reports each check's start and end as progress; stores the run, writes its
 * evidence document and appends a `gate.run` ledger entry referencing it.
 */
export async function runGate(ports: EnvironmentPorts, request: GateRequest): Promise<GateOutcome> {
  const { plan } = request;
  const started = ports.clock.now();
  ports.progress.report({
    type: "note",
    message: `gate ${plan.gate} (${ports.env}): ${plan.checks.length} check(s)${plan.source === "built-in" ? ", built-in" : ""}`,
  });
  for (const skipped of plan.skipped) {
    ports.progress.report({
      type: "step-finished",
      step: skipped.name,
      status: "skipped",
      detail: `skipped (${skipped.reason})`,
    });
  }

  const finished = new Map<string, CheckResult>();
  const running = new Map<string, Promise<CheckResult>>();
  const runOne = async (spec: CheckSpec): Promise<CheckResult> => {
    await Promise.all(spec.after.map((dep) => running.get(dep)));
    const blocking = blockingDependencies(spec.after, finished);
    const t0 = performance.now();
    let outcome: CheckOutcome;
    if (blocking.length > 0) {
      outcome = notRun(blocking);
    } else {
      ports.progress.report({
        type: "step-started",
        step: spec.name,
        detail: `${spec.type === spec.name ? "" : `${spec.type}, `}${spec.subsystem}`,
      });
      outcome = await runCheck(ports, request, spec);
    }
    const result = checkResult(spec, outcome, performance.now() - t0);
    finished.set(spec.name, result);
    ports.progress.report({
      type: "step-finished",
      step: spec.name,
      status: result.status === "fail" || result.status === "error" ? "failed" : "succeeded",
      detail: `${result.status} ${result.durationMs}ms${result.status === "pass" ? "" : ` — ${result.diagnostics[0] ?? ""}`}`,
    });
    return result;
  };
  // Each check starts on a later tick, once every promise is registered for `after` to find.
  for (const spec of plan.checks) {
    running.set(
      spec.name,
      Promise.resolve().then(() => runOne(spec)),
    );
  }
  const checks = await Promise.all(
    plan.checks.map((spec) => running.get(spec.name) as Promise<CheckResult>),
  );

  const run: GateRun = {
    id: gateRunId(started),
    gate: plan.gate,
    env: ports.env,
    startedAt: started.toISOString(),
    durationMs: ports.clock.now().getTime() - started.getTime(),
    checks,
    passed: gatePassed(checks),
    ...(plan.skipped.length > 0 ? { skipped: plan.skipped } : {}),
    ...(request.version !== undefined ? { version: request.version } : {}),
  };
  return record(ports, request, run);
}

/** Evidence first, then the ledger entry naming its hash, then the queryable gate-run record. */
async function record(
  ports: EnvironmentPorts,
  request: GateRequest,
  run: GateRun,
): Promise<GateOutcome> {
  const git = await request.probes.git.inspect(".", { timeoutMs: 10_000 }).catch(() => undefined);
  const evidence = gateEvidence({
    service: ports.service,
    run,
    plan: request.plan,
    configHash: request.configHash,
    gitCommit: git?.kind === "repo" ? (git.head ?? null) : null,
    runtime: request.runtime,
  });
  const entry = await ports.record({
    kind: "gate.run",
    subject: run.gate,
    data: {
      gateRunId: run.id,
      version: run.version ?? null,
      passed: run.passed,
      failed: failedChecks(run.checks).map((c) => c.name),
      skipped: (run.skipped ?? []).map((s) => s.name),
    },
    evidence,
  });
  const evidenceHash = entry.evidenceHash ?? "";
  const redact = request.redact ?? (<T>(value: T): T => value);
  await ports.store.gateRuns.put({
    id: run.id,
    gate: run.gate,
    env: run.env,
    startedAt: run.startedAt,
    passed: run.passed,
    doc: redact({ ...(run as unknown as JsonObject), evidenceHash }),
  });
  return { run, evidenceHash, ledgerSeq: entry.seq };
}

function gateRunId(started: Date): string {
  const stamp = started
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `gate-${stamp}-${randomBytes(3).toString("hex")}`;
}

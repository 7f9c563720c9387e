import type { EnvironmentPorts } from "../../app/environment.js";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import { countApprovals, mayApprove } from "../../domain/policy/approval-requirement.js";
import type { CommandOutcome } from "../output.js";
import { renderPlan } from "../render-plan.js";

export interface PlanRunOptions {
  readonly planId: string;
  readonly dryRun: boolean;
  readonly emergency: boolean;
  readonly timeoutMs: number;
  readonly reason: string;
  /** Asks the operator; undefined when stdin is not a terminal (CI): never wait for an answer. */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
}

/** Refuses the options that choose a new rollback next to `--plan`, which names one. */
export function refuseWithPlan(options: Record<string, unknown>): void {
  const clashing = ["to", "restoreState", "resume", "acceptDataLoss"].filter(
    (key) => options[key] !== undefined && options[key] !== false,
  );
  if (clashing.length === 0) return;
  const flags = clashing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  throw new ShipsafeError({
    code: "USAGE",
    kind: "usage",
    message: `--plan runs a prepared plan as it is; it cannot be combined with ${flags.join(", ")}`,
    hint: "drop those flags, or plan a new rollback without --plan",
  });
}

/**
 * `shipsafe rollback --plan <id>`: shows (`--dry-run`) or runs a prepared plan. On a terminal an
 * approver may approve it in place; without a terminal a plan lacking approval is refused (exit 4).
 */
export async function rollbackPreparedPlan(
  ports: EnvironmentPorts,
  options: PlanRunOptions,
): Promise<CommandOutcome> {
  const { checkPreparedPlan, executePreparedPlan } = await import(
    "../../app/policy/execute-prepared-plan.js"
  );
  const check = await checkPreparedPlan(ports, options);
  const { requirement, approvals } = check.stored.approval;
  const status = `approvals: ${check.decision.approvalsGiven}/${check.decision.approvalsNeeded}${approvals.length ? ` (${approvals.map((a) => a.actor).join(", ")})` : ""} — ${check.decision.reason}`;
  if (options.dryRun) {
    return {
      exitCode: 0,
      json: {
        status: "planned",
        plan: check.stored.plan as unknown as JsonObject,
        decision: { ...check.decision },
        approvals: approvals.map((a) => ({ ...a })),
        outcome: null,
        message: "dry run: nothing was changed",
      },
      human: [
        renderPlan(check.stored.plan),
        `  ${status}`,
        "",
        "planned: dry run: nothing was changed",
      ].join("\n"),
    };
  }
  const canConfirm =
    check.decision.action !== "rollback" &&
    options.confirm !== undefined &&
    mayApprove(requirement, ports.actor) &&
    !approvals.some((a) => a.actor === ports.actor) &&
    countApprovals(requirement, approvals) + 1 >= requirement.needed;
  if (canConfirm && options.confirm) {
    process.stderr.write(`${renderPlan(check.stored.plan)}\n  ${status}\n`);
    const yes = await options.confirm(
      `approve plan ${options.planId} as ${ports.actor} and run it now?`,
    );
    if (yes) {
      const { approvePlan } = await import("../../app/policy/approve-plan.js");
      await approvePlan(ports, {
        planId: options.planId,
        reason: options.reason || "approved at the terminal (rollback --plan)",
      });
    }
  }
  const run = await executePreparedPlan(ports, options);
  const result = run.result;
  return {
    exitCode: result.status === "failed" ? 1 : 0,
    json: { ...(result as unknown as JsonObject), decision: { ...run.decision } },
    human: [
      renderPlan(result.plan),
      `  ${run.decision.bypassed ? "EMERGENCY: " : ""}${run.decision.reason}`,
      "",
      `${result.status}: ${result.message}`,
    ].join("\n"),
  };
}

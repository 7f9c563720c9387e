import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { durationFlag } from "../option-values.js";
import { renderPlan } from "../render-plan.js";
import { withEnvironment } from "../with-environment.js";

interface RollbackOptions {
  to?: string;
  restoreState?: boolean;
  dryRun?: boolean;
  emergency?: boolean;
  timeout: string;
  reason?: string;
  resume?: boolean;
  acceptDataLoss?: boolean;
  plan?: string;
}

export function registerRollbackCommand(program: Command, action: Action): void {
  program
    .command("rollback")
    .description("plan and run a rollback; an interrupted rollback is finished first")
    .option("--to <target>", "previous | <version> | lkg | snapshot:<id> (default: previous)")
    .option("--restore-state", "restore the snapshot taken while the target version ran (Type 3)")
    .option("--dry-run", "print the plan and change nothing")
    .option("--emergency", "mark the rollback as an emergency (recorded in the ledger)")
    .option("--timeout <duration>", "bound for the whole plan", "5m")
    .option("--reason <text>", "why (recorded in the ledger)")
    .option(
      "--resume",
      "finish an interrupted rollback, or retry a failed one from its failed step",
    )
    .option("--accept-data-loss", "run a plan that discards data written since its snapshot")
    .option(
      "--plan <plan-id>",
      "run a plan the policy prepared, once approved (shipsafe approve); --emergency runs it without",
    )
    .action(
      action(async (ctx, options: RollbackOptions) => {
        const timeoutMs = durationFlag(options.timeout, "--timeout");
        if (options.plan !== undefined) {
          const planId = options.plan;
          const { refuseWithPlan, rollbackPreparedPlan } = await import("./rollback-plan.js");
          refuseWithPlan({ ...options });
          const { confirmOnTerminal, stdinIsTerminal } = await import("../confirm.js");
          return withEnvironment(ctx, { mutating: !options.dryRun }, (ports) =>
            rollbackPreparedPlan(ports, {
              planId,
              dryRun: options.dryRun === true,
              emergency: options.emergency === true,
              timeoutMs,
              reason: options.reason ?? "",
              confirm: stdinIsTerminal() ? confirmOnTerminal : undefined,
            }),
          );
        }
        return withEnvironment(ctx, { mutating: !options.dryRun }, async (ports) => {
          const { rollback } = await import("../../app/rollback/rollback.js");
          const result = await rollback(ports, {
            to: options.to,
            restoreState: options.restoreState === true,
            dryRun: options.dryRun === true,
            emergency: options.emergency === true,
            resume: options.resume === true,
            acceptDataLoss: options.acceptDataLoss === true,
            timeoutMs,
            reason: options.reason ?? "",
          });
          const human = [renderPlan(result.plan), "", `${result.status}: ${result.message}`].join(
            "\n",
          );
          return {
            exitCode: result.status === "failed" ? 1 : 0,
            json: result as unknown as JsonObject,
            human,
          };
        });
      }),
    );
}

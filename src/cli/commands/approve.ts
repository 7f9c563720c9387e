import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { renderPlan } from "../render-plan.js";
import { withEnvironment } from "../with-environment.js";

export function registerApproveCommand(program: Command, action: Action): void {
  program
    .command("approve <plan-id>")
    .description("approve a rollback plan the policy prepared (recorded in the ledger)")
    .option("--reason <text>", "why (recorded in the ledger)")
    .action(
      action(async (ctx, planId: string, options: { reason?: string }) =>
        withEnvironment(ctx, { mutating: true }, async (ports) => {
          const { approvePlan } = await import("../../app/policy/approve-plan.js");
          const result = await approvePlan(ports, { planId, reason: options.reason ?? "" });
          const next = result.after
            ? "the rollback already ran: this approval is recorded after the fact"
            : result.ready
              ? `approved: run it with shipsafe rollback --plan ${planId} --env ${ports.env}`
              : `waiting for ${result.approvalsNeeded - result.approvalsGiven} more approval(s)`;
          const human = [
            renderPlan(result.stored.plan),
            "",
            `${result.approval.actor} approved plan ${planId} (${result.approvalsGiven}/${result.approvalsNeeded})`,
            next,
          ].join("\n");
          const json = {
            planId,
            approval: { ...result.approval },
            approvalsGiven: result.approvalsGiven,
            approvalsNeeded: result.approvalsNeeded,
            ready: result.ready,
            after: result.after,
          } satisfies JsonObject;
          return { exitCode: 0, json, human };
        }),
      ),
    );
}

import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { durationFlag } from "../option-values.js";
import { createProgressRenderer } from "../progress-renderer.js";

export function registerDemoCommand(program: Command, action: Action): void {
  program
    .command("demo")
    .description("the whole path on one machine: deploy a bad release, catch it, roll back, verify")
    .option("--observe <duration>", "how long to observe the bad release at most", "20s")
    .action(
      action(async (ctx, options: { observe: string }) => {
        const observeMs = durationFlag(options.observe, "--observe");
        const { runDemo } = await import("../../demo/run-demo.js");
        const report = await runDemo({
          progress: createProgressRenderer(ctx.out),
          actor: ctx.actor(),
          observeMs,
        });
        const s = (ms: number | null | undefined): string =>
          ms == null ? "-" : `${(ms / 1000).toFixed(2)}s`;
        const lines = [
          "",
          "timeline:",
          ...report.timeline.map((e) => `  ${s(e.atMs).padStart(8)}  ${e.event}`),
          "",
          `2.0.0 verdict: ${report.badDeploy.verdict} ${report.badDeploy.severity ?? ""} — ${report.badDeploy.reasons.join("; ")}`,
          `time to detect: ${s(report.badDeploy.timeToDetectMs)} after 2.0.0 was switched in`,
          report.rollback
            ? `rollback: ${report.rollback.status}, ${report.rollback.from} → ${report.rollback.to}, Type ${report.rollback.type}, in ${s(report.rollback.durationMs)}`
            : "rollback: none",
          report.rollback?.dataLoss ? `data: ${report.rollback.dataLoss}` : "",
          `end state: ${report.endState.currentVersion} ${report.endState.healthy ? "healthy" : "UNHEALTHY"}, schema version ${report.endState.schemaVersion}, ${report.endState.ordersRows} orders, ${report.endState.badTablesLeft.length === 0 ? "no trace of 2.0.0's tables" : `left over: ${report.endState.badTablesLeft.join(", ")}`}`,
          `load: ${report.load.sent} requests, ${report.load.ok} ok, ${report.load.failed} failed`,
          `evidence: ${report.evidence.ledgerEntries} ledger entries, chain ${report.evidence.ledgerVerified ? "verified" : "NOT verified"}`,
          "",
          "inspect it:",
          ...report.inspect.map((c) => `  ${c}`),
          "",
          report.ok ? "demo OK" : "demo FAILED: see the timeline above",
        ].filter((l, i, all) => l !== "" || all[i - 1] !== "");
        return {
          exitCode: report.ok ? 0 : 1,
          json: report as unknown as JsonObject,
          human: lines.join("\n"),
        };
      }),
    );
}

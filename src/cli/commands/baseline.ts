import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { observationFlags } from "../observation-flags.js";
import { durationFlag } from "../option-values.js";
import { withEnvironment } from "../with-environment.js";

export function registerBaselineCommands(program: Command, action: Action): void {
  const baseline = program
    .command("baseline")
    .description("capture the metrics before a change (the ops summary), compare now against it");

  baseline
    .command("capture")
    .description("store every metric's interval values and statistics over a window")
    .option("--window <duration>", "how much traffic to summarize", "5m")
    .option("--interval <duration>", "interval length (default: metrics.interval, 5s)")
    .action(
      action(async (ctx, flags: { window: string; interval?: string }) => {
        const windowMs = durationFlag(flags.window, "--window");
        const { env } = await ctx.environment();
        const { setup, intervalMs } = await observationFlags(env.metrics, flags.interval);
        return withEnvironment(ctx, { mutating: true }, async (ports) => {
          const { captureBaseline, saveBaseline } = await import(
            "../../app/observation/capture-baseline.js"
          );
          const { renderBaselineSummary } = await import("../baseline-view.js");
          const captured = await captureBaseline(ports, {
            windowMs,
            intervalMs,
            setup,
            signal: ctx.abort.signal,
            onInterval: (_m, i, of) => ctx.out.live(`  sampling interval ${i}/${of}`),
          });
          ctx.out.clearLive();
          await saveBaseline(ports, captured);
          return {
            exitCode: 0,
            json: captured as unknown as JsonObject,
            human: renderBaselineSummary(captured).join("\n"),
          };
        });
      }),
    );

  baseline
    .command("compare")
    .description(
      "measure now and compare every metric with the baseline: baseline, now, change, verdict",
    )
    .option("--baseline <id>", "the baseline to compare with (default: the newest)")
    .option("--window <duration>", "how much current traffic to measure", "1m")
    .option("--interval <duration>", "interval length (default: metrics.interval, 5s)")
    .action(
      action(async (ctx, flags: { baseline?: string; window: string; interval?: string }) => {
        const windowMs = durationFlag(flags.window, "--window");
        const { env } = await ctx.environment();
        const { setup, intervalMs } = await observationFlags(env.metrics, flags.interval);
        return withEnvironment(ctx, { mutating: false }, async (ports) => {
          const { loadBaseline } = await import("../../app/observation/capture-baseline.js");
          const { compareWithBaseline } = await import("../../app/observation/compare-baseline.js");
          const { renderMetricTable, verdictLine } = await import("../watch-view.js");
          const base = await loadBaseline(ports, flags.baseline);
          const result = await compareWithBaseline(ports, {
            baseline: base,
            setup,
            windowMs,
            intervalMs,
          });
          const v = result.verdict;
          const human = [
            `${ports.env}: ${result.version ?? "-"} now (${result.intervals} intervals, ${result.method}) vs baseline ${result.baselineId} (${result.baselineVersion ?? "-"}, ${result.baselineCapturedAt})`,
            ...renderMetricTable(v.results ?? []).map((l) => `  ${l}`),
            verdictLine(v),
            ...v.reasons.map((r) => `  - ${r}`),
          ].join("\n");
          return {
            exitCode: v.status === "failed" ? 1 : 0,
            json: result as unknown as JsonObject,
            human,
          };
        });
      }),
    );
}

import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { observationFlags } from "../observation-flags.js";
import { durationFlag } from "../option-values.js";
import { withEnvironment } from "../with-environment.js";

interface WatchFlags {
  window: string;
  interval?: string;
  baseline?: string;
  autoRollback?: boolean;
  rollbackTimeout: string;
}

export function registerWatchCommand(program: Command, action: Action): void {
  program
    .command("watch")
    .description(
      "watch the live metrics against the stored baseline; with --auto-rollback, act on a failed verdict",
    )
    .option("--window <duration>", "how long to watch", "30m")
    .option("--interval <duration>", "how often to measure (default: metrics.interval, 5s)")
    .option("--baseline <id>", "the baseline to compare with (default: the newest)")
    .option(
      "--auto-rollback",
      "on a failed verdict, roll back to the previous release (holds the lock)",
    )
    .option("--rollback-timeout <duration>", "bound for an automatic rollback", "5m")
    .action(
      action(async (ctx, flags: WatchFlags) => {
        const windowMs = durationFlag(flags.window, "--window");
        const rollbackTimeoutMs = durationFlag(flags.rollbackTimeout, "--rollback-timeout");
        const { env } = await ctx.environment();
        const { setup, intervalMs } = await observationFlags(env.metrics, flags.interval);
        const autoRollback = flags.autoRollback === true;
        return withEnvironment(ctx, { mutating: autoRollback }, async (ports) => {
          const { watch } = await import("../../app/observation/watch.js");
          const { createLiveBlock, renderWatchView, renderMetricTable, verdictLine } = await import(
            "../watch-view.js"
          );
          const live = createLiveBlock(ctx.out, ctx.io);
          const version = (await ports.target.current()) ?? null;
          const result = await watch(ports, {
            baselineId: flags.baseline,
            setup,
            windowMs,
            intervalMs,
            autoRollback,
            rollbackTimeoutMs,
            signal: ctx.abort.signal,
            onTick: (tick) => {
              if (ctx.out.mode.json) {
                // JSON lines: one document per interval, for machines.
                const line = {
                  type: "interval",
                  index: tick.index,
                  elapsedMs: tick.elapsedMs,
                  remainingMs: tick.remainingMs,
                  verdict: tick.verdict,
                };
                ctx.out.raw(`${JSON.stringify(ctx.out.redact.redactJson(line))}\n`);
              } else {
                live.draw(renderWatchView(tick, version));
              }
            },
          });
          const failed = result.verdict.status === "failed";
          if (ctx.out.mode.json) {
            ctx.out.raw(
              `${JSON.stringify(ctx.out.redact.redactJson({ type: "result", ...result }))}\n`,
            );
            return {
              exitCode: failed ? 1 : 0,
              json: result as unknown as JsonObject,
              human: "",
              streamed: true,
            };
          }
          const lines = [
            `watch ${result.version ?? "-"} in ${ports.env} against baseline ${result.baselineId}: ${verdictLine(result.verdict).replace("verdict: ", "").toUpperCase()}`,
            ...renderMetricTable(result.verdict.results ?? []).map((l) => `  ${l}`),
            ...result.verdict.reasons.map((r) => `  - ${r}`),
          ];
          if (result.rollback)
            lines.push(`rollback: ${result.rollback.status} — ${result.rollback.message}`);
          return {
            exitCode: failed ? 1 : 0,
            json: result as unknown as JsonObject,
            human: lines.join("\n"),
          };
        });
      }),
    );
}

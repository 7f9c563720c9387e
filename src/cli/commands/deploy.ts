import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { durationFlag } from "../option-values.js";
import { withEnvironment } from "../with-environment.js";

export function registerDeployCommand(program: Command, action: Action): void {
  program
    .command("deploy")
    .description("activate a release, wait for readiness, and observe it against the baseline")
    .argument("<version>", "a version added with release add")
    .option("--observe <duration>", "how long to watch the new release", "60s")
    .option("--baseline <duration>", "how long to sample the running release first", "10s")
    .option("--interval <duration>", "how often to probe and sample while observing", "1s")
    .option(
      "--auto-rollback",
      "roll back to the previous release on a failed verdict (policy.autoRollback)",
    )
    .option("--no-auto-rollback", "never roll back automatically")
    .option("--rollback-timeout <duration>", "bound for an automatic rollback", "5m")
    .action(
      action(
        async (
          ctx,
          version: string,
          options: {
            observe: string;
            baseline: string;
            interval: string;
            autoRollback?: boolean;
            rollbackTimeout: string;
          },
        ) => {
          const observeMs = durationFlag(options.observe, "--observe");
          const baselineMs = durationFlag(options.baseline, "--baseline");
          const intervalMs = durationFlag(options.interval, "--interval");
          const rollbackTimeoutMs = durationFlag(options.rollbackTimeout, "--rollback-timeout");
          const { env } = await ctx.environment();
          const autoRollback = options.autoRollback ?? env.policy?.autoRollback ?? false;
          return withEnvironment(ctx, { mutating: true }, async (ports) => {
            const { deploy } = await import("../../app/deploy/deploy.js");
            const { observationSetup } = await import(
              "../../domain/observation/observation-setup.js"
            );
            const result = await deploy(ports, {
              version,
              observeMs,
              baselineMs,
              intervalMs,
              autoRollback,
              rollbackTimeoutMs,
              observation: observationSetup(env.metrics),
              signal: ctx.abort.signal,
            });
            const lines = [
              `deploy ${version} to ${ports.env}: ${result.status.toUpperCase()}${result.verdict.severity ? ` (${result.verdict.severity})` : ""}`,
              ...result.verdict.reasons.map((r) => `  - ${r}`),
            ];
            if (result.rollback)
              lines.push(`rollback: ${result.rollback.status} — ${result.rollback.message}`);
            return {
              exitCode: result.status === "failed" ? 1 : 0,
              json: result as unknown as JsonObject,
              human: lines.join("\n"),
            };
          });
        },
      ),
    );
}

import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { durationFlag } from "../option-values.js";
import { withEnvironment } from "../with-environment.js";

export function registerHealthCommand(program: Command, action: Action): void {
  program
    .command("health")
    .description("probe the live and ready endpoints (exit 1 when unhealthy)")
    .option("--wait <duration>", "keep probing until healthy or this long has passed")
    .action(
      action(async (ctx, options: { wait?: string }) => {
        const waitMs = options.wait === undefined ? 0 : durationFlag(options.wait, "--wait");
        return withEnvironment(ctx, { mutating: false }, async (ports) => {
          const { waitHealthy } = await import("../../app/health/wait-healthy.js");
          const result = await waitHealthy(ports, waitMs, ctx.abort.signal);
          const current = (await ports.target.current()) ?? null;
          const lines = [
            `${ports.env} (${current ?? "nothing deployed"}): ${result.healthy ? "healthy" : "UNHEALTHY"}`,
            ...result.last.map(
              (p) =>
                `  ${p.ok ? "ok  " : "FAIL"} ${p.name.padEnd(5)} ${p.url} ${p.status ?? "-"} ${p.latencyMs.toFixed(0)}ms${p.error ? ` — ${p.error}` : ""}`,
            ),
          ];
          return {
            exitCode: result.healthy ? 0 : 1,
            json: { env: ports.env, current, ...(result as unknown as JsonObject) },
            human: lines.join("\n"),
          };
        });
      }),
    );
}

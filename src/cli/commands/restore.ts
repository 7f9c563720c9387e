import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { withEnvironment } from "../with-environment.js";
import { restoreLive } from "./snapshot.js";

export function registerRestoreCommands(program: Command, action: Action): void {
  const restore = program.command("restore").description("restore drills and restores");

  restore
    .command("drill")
    .description("restore a snapshot into a scratch sandbox and check it (changes nothing live)")
    .argument("<snapshot>", "a snapshot id")
    .option("--keep-sandbox", "leave the sandbox in place for inspection")
    .option("--execute", "restore over the LIVE state instead (needs SHIPSAFE_RESTORE_GUARD=<env>)")
    .option("--timeout <duration>", "bound for a live restore", "5m")
    .action(
      action(
        async (
          ctx,
          id: string,
          options: { keepSandbox?: boolean; execute?: boolean; timeout: string },
        ) => {
          if (options.execute)
            return restoreLive(ctx, id, { execute: true, timeout: options.timeout });
          return withEnvironment(ctx, { mutating: true }, async (ports, services) => {
            const { restoreDrill } = await import("../../app/restore/restore-drill.js");
            const result = await restoreDrill(ports, {
              snapshotId: id,
              sandboxRoot: join(services.stateDir, "drills"),
            });
            if (!options.keepSandbox) await rm(result.sandbox, { recursive: true, force: true });
            const lines = [
              `restore drill ${result.id} of ${id}: ${result.passed ? "PASSED" : "FAILED"}`,
              `  restore time ${result.restoreMs}ms; data age ${(result.dataAgeMs / 1000).toFixed(1)}s`,
              ...result.integrity.flatMap((r) =>
                r.checks.map(
                  (c) => `  ${c.ok ? "ok  " : "FAIL"} ${r.asset}: ${c.name} — ${c.detail}`,
                ),
              ),
              options.keepSandbox ? `  sandbox kept at ${result.sandbox}` : "",
            ].filter((l) => l !== "");
            return {
              exitCode: result.passed ? 0 : 1,
              json: result as unknown as JsonObject,
              human: lines.join("\n"),
            };
          });
        },
      ),
    );
}

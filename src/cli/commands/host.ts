import type { Command } from "commander";
import type { Action } from "../define-action.js";
import { collectSkips, runGateCommand } from "./gate.js";

export function registerHostCommands(program: Command, action: Action): void {
  const host = program.command("host").description("the machine the service runs on");

  host
    .command("verify")
    .description(
      "run the host gate: tools, disk space, migrations and endpoints (exit 1 when it fails)",
    )
    .option(
      "--skip-endpoints",
      "leave out the checks that need the running service (before it is started)",
    )
    .option(
      "--skip <check>",
      "leave out a check by name (repeatable or comma-separated)",
      collectSkips,
      [],
    )
    .action(
      action(async (ctx, options: { skipEndpoints?: boolean; skip: string[] }) =>
        runGateCommand(ctx, "host", {
          skip: options.skip,
          skipService: options.skipEndpoints === true,
        }),
      ),
    );
}

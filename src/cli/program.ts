import { Command, Option } from "commander";
import { registerApproveCommand } from "./commands/approve.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerBaselineCommands } from "./commands/baseline.js";
import { registerConfigCommands } from "./commands/config.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerEvidenceCommands } from "./commands/evidence.js";
import { registerGateCommand } from "./commands/gate.js";
import { registerHealthCommand } from "./commands/health.js";
import { registerHostCommands } from "./commands/host.js";
import { registerInitCommand } from "./commands/init.js";
import { registerLkgCommand } from "./commands/lkg.js";
import { registerLockCommands } from "./commands/lock.js";
import { registerMigrateCommands } from "./commands/migrate.js";
import { registerReleaseCommands } from "./commands/release.js";
import { registerRestoreCommands } from "./commands/restore.js";
import { registerRollbackCommand } from "./commands/rollback.js";
import { registerSnapshotCommands } from "./commands/snapshot.js";
import { registerWatchCommand } from "./commands/watch.js";
import type { Action } from "./define-action.js";

export const VERSION = "0.1.0";

/** Builds the command tree. Command modules load their implementations lazily, so --help is fast. */
export function buildProgram(action: Action, configure: (command: Command) => void): Command {
  const program = new Command("shipsafe")
    .description("Release gates, rollbacks and restore drills as software, with an audit ledger.")
    .version(VERSION, "-V, --version")
    .addOption(
      new Option("-c, --config <file>", "config file (YAML or JSON)").default("shipsafe.yaml"),
    )
    .option("-e, --env <name>", "environment to act on (default: the only one in the config)")
    .option("--env-file <file>", "dotenv file whose values fill ${VAR} and are treated as secret")
    .option("--state-dir <dir>", "state directory (default: .shipsafe/ beside the config)")
    .option("--json", "print exactly one JSON document on stdout")
    .option("-q, --quiet", "print only errors and failures")
    .option("--no-color", "disable colors (also NO_COLOR=1, or when not a terminal)")
    .showHelpAfterError(false)
    .enablePositionalOptions(false);
  // Subcommands copy these settings when they are created, so configure before registering.
  configure(program);

  program.addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 check/gate/verification failed, 2 usage or config error,\n" +
      "3 runtime failure, 4 refused (guard, approval or lock). See docs/cli.md.",
  );

  registerDemoCommand(program, action);
  registerInitCommand(program, action);
  registerConfigCommands(program, action);
  registerReleaseCommands(program, action);
  registerGateCommand(program, action);
  registerHostCommands(program, action);
  registerDeployCommand(program, action);
  registerBaselineCommands(program, action);
  registerWatchCommand(program, action);
  registerMigrateCommands(program, action);
  registerRollbackCommand(program, action);
  registerApproveCommand(program, action);
  registerLkgCommand(program, action);
  registerHealthCommand(program, action);
  registerSnapshotCommands(program, action);
  registerRestoreCommands(program, action);
  registerBackupCommands(program, action);
  registerAuditCommands(program, action);
  registerEvidenceCommands(program, action);
  registerLockCommands(program, action);
  return program;
}

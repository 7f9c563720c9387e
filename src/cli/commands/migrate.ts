import type { Command } from "commander";
import type { MigrationOutcome } from "../../app/migrations/run-migrations.js";
import { ShipsafeError } from "../../domain/errors.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import { positiveInteger } from "../option-values.js";
import type { CommandOutcome } from "../output.js";
import { withEnvironment } from "../with-environment.js";
import { registerMigrateAnalysisCommands } from "./migrate-analysis.js";

const RELEASE_HELP = "the release whose migrations to use (default: the current release)";

export function registerMigrateCommands(program: Command, action: Action): void {
  const migrate = program
    .command("migrate")
    .description("database migrations: where the database is, apply, revert (docs/migrations.md)");

  migrate
    .command("status")
    .description("the database's migration head, pending and unknown migrations, last applied at")
    .option("--release <version>", RELEASE_HELP)
    .action(
      action(async (ctx, options: { release?: string }) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const { migrationStatus } = await import("../../app/migrations/migration-status.js");
          const report = await migrationStatus(ports, options.release);
          const { state } = report;
          const list = (ids: readonly string[]): string => (ids.length ? ids.join(", ") : "none");
          const lines = [
            `migrations of ${report.env} against release ${report.version} (${report.source}):`,
            `  head:            ${state.head ?? "none (nothing applied)"}`,
            `  last applied at: ${state.lastAppliedAt ?? "unknown"}`,
            `  pending:         ${list(state.pending)}`,
          ];
          if (state.unknownApplied.length) {
            lines.push(
              `  applied but not shipped by ${report.version}: ${list(state.unknownApplied)}`,
            );
          }
          return {
            exitCode: 0,
            json: {
              ...state,
              env: report.env,
              version: report.version,
              source: report.source,
            } as unknown as JsonObject,
            human: lines.join("\n"),
          } satisfies CommandOutcome;
        }),
      ),
    );

  migrate
    .command("up")
    .description("apply the release's pending migrations, in order (all, or up to --to)")
    .option("--release <version>", RELEASE_HELP)
    .option("--to <id>", "stop after this migration (it is applied)")
    .option("--dry-run", "list what would run and change nothing")
    .action(
      action(async (ctx, options: { release?: string; to?: string; dryRun?: boolean }) => {
        const dryRun = options.dryRun === true;
        return withEnvironment(ctx, { mutating: !dryRun }, async (ports) => {
          const { migrateUp } = await import("../../app/migrations/run-migrations.js");
          const outcome = await migrateUp(ports, {
            ...(options.release === undefined ? {} : { version: options.release }),
            ...(options.to === undefined ? {} : { to: options.to }),
            dryRun,
          });
          return rendered(outcome);
        });
      }),
    );

  migrate
    .command("down")
    .description("revert applied migrations, newest first (one by default)")
    .option("--release <version>", RELEASE_HELP)
    .option("--count <n>", "how many to revert (default 1)")
    .option("--to <id>", "revert every migration after this one (it stays applied)")
    .option("--dry-run", "list what would run and change nothing")
    .action(
      action(
        async (
          ctx,
          options: { release?: string; count?: string; to?: string; dryRun?: boolean },
        ) => {
          if (options.count !== undefined && options.to !== undefined) {
            throw new ShipsafeError({
              code: "USAGE",
              kind: "usage",
              message: "--count and --to cannot be used together",
              hint: "pass --count <n> to revert n migrations, or --to <id> to revert every one after it",
            });
          }
          const target =
            options.to !== undefined
              ? { to: options.to }
              : { count: positiveInteger(options.count ?? "1", "--count") };
          const dryRun = options.dryRun === true;
          return withEnvironment(ctx, { mutating: !dryRun }, async (ports) => {
            const { migrateDown } = await import("../../app/migrations/run-migrations.js");
            const outcome = await migrateDown(ports, {
              ...(options.release === undefined ? {} : { version: options.release }),
              target,
              dryRun,
            });
            return rendered(outcome);
          });
        },
      ),
    );
  registerMigrateAnalysisCommands(migrate, action);
}

function rendered(outcome: MigrationOutcome): CommandOutcome {
  const { plan } = outcome;
  const verb = plan.direction === "up" ? "apply" : "revert";
  const ids = outcome.ran ? outcome.ran.map((m) => m.id) : plan.migrations;
  const move = `head ${plan.from ?? "none"} → ${outcome.head ?? "none"}`;
  const human =
    ids.length === 0
      ? `nothing to ${verb} in ${outcome.env} (release ${plan.version}, head ${plan.from ?? "none"})`
      : outcome.dryRun
        ? [
            `would ${verb} ${ids.length} migration(s) in ${outcome.env} (release ${plan.version}, ${move}):`,
            ...ids.map((id) => `  ${id}`),
            "(dry run: nothing changed)",
          ].join("\n")
        : [
            `${verb === "apply" ? "applied" : "reverted"} ${ids.length} migration(s) in ${outcome.env} (release ${plan.version}, ${move}):`,
            ...ids.map((id) => `  ${id}`),
          ].join("\n");
  return { exitCode: 0, json: outcome as unknown as JsonObject, human };
}

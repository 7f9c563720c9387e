import { resolve } from "node:path";
import { ShipsafeError } from "../../../domain/errors.js";
import type { AppliedMigration, MigrationState } from "../../../domain/migrations/migration.js";
import type { MigrationRun, MigrationRunner } from "../../../ports/migration-runner.js";
import type { Progress } from "../../../ports/progress.js";
import type { ProcessRunner } from "../../checks/process/run-process.js";
import { migrationState } from "../migration-state.js";
import { COUNT, fillArgv, hasPlaceholder, TO } from "./command-argv.js";
import { parseStatusOutput, type ReportedMigration, type StatusFormat } from "./status-output.js";

export interface CommandMigrationsOptions {
  /** Applies pending migrations; `{to}` receives a target id (the element is left out without one). */
  readonly up: readonly string[];
  /** Reverts migrations; `{count}` receives how many, `{to}` the id that stays applied. */
  readonly down: readonly string[];
  /** Prints every migration and whether it is applied, in apply order. */
  readonly status: readonly string[];
  readonly statusFormat: StatusFormat;
  /** Working directory, relative to the release directory. */
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Added to shipsafe's environment (with SHIPSAFE_RELEASE_DIR). */
  readonly env?: Readonly<Record<string, string>>;
  readonly run: ProcessRunner;
}

/**
 * The project's own migration tool (alembic, prisma, knex, node-pg-migrate, ...) run as argv
 * commands in the release directory: `status` says where the database is, `up` and `down` move it.
 */
export function createCommandMigrationRunner(options: CommandMigrationsOptions): MigrationRunner {
  const exec = async (releaseDir: string, argv: readonly string[]): Promise<string> => {
    const cwd = resolve(releaseDir, options.cwd);
    const result = await options.run(argv, {
      cwd,
      timeoutMs: options.timeoutMs,
      env: { ...process.env, ...options.env, SHIPSAFE_RELEASE_DIR: releaseDir },
    });
    const shown = argv.join(" ");
    const why = result.startError
      ? result.startError
      : result.timedOut
        ? `timed out after ${Math.round(options.timeoutMs / 1000)}s`
        : result.exitCode !== 0
          ? `exit ${result.exitCode ?? "?"}`
          : null;
    if (why === null) return result.stdout;
    const stderr = result.stderr.trim().split("\n").slice(-5).join(" | ");
    throw new ShipsafeError({
      code: "MIGRATION_COMMAND_FAILED",
      kind: "runtime",
      message: `migrations command \`${shown}\` failed in ${cwd}: ${why}${stderr ? ` — ${stderr}` : ""}`,
      hint: "run the command by hand in the release directory to see why; fix it or the migrations config (docs/migrations.md#command)",
    });
  };

  const report = async (releaseDir: string): Promise<ReportedMigration[]> =>
    parseStatusOutput(
      await exec(releaseDir, options.status),
      options.statusFormat,
      `\`${options.status.join(" ")}\``,
    );

  const stateOf = (reported: readonly ReportedMigration[]): MigrationState =>
    migrationState(
      reported.filter((m) => m.shipped).map((m) => m.id),
      reported
        .filter((m) => m.applied)
        .map((m): AppliedMigration => ({ id: m.id, appliedAt: m.appliedAt })),
    );

  /** Runs `argv`, then reads status again to learn which migrations moved. */
  const move = async (
    releaseDir: string,
    direction: "up" | "down",
    before: MigrationState,
    runs: readonly (readonly string[])[],
    progress: Progress | undefined,
  ): Promise<MigrationRun> => {
    const step = `migrate ${direction}`;
    progress?.report({ type: "step-started", step, detail: runs[0]?.join(" ") ?? "" });
    try {
      for (const argv of runs) await exec(releaseDir, argv);
    } catch (error) {
      progress?.report({ type: "step-finished", step, status: "failed" });
      throw error;
    }
    const after = stateOf(await report(releaseDir));
    const had = new Set(before.applied.map((m) => m.id));
    const has = new Set(after.applied.map((m) => m.id));
    const migrations =
      direction === "up"
        ? after.applied.filter((m) => !had.has(m.id))
        : [...before.applied].reverse().filter((m) => !has.has(m.id));
    progress?.report({
      type: "step-finished",
      step,
      status: "succeeded",
      detail: migrations.map((m) => m.id).join(", ") || "nothing to do",
    });
    return { direction, migrations, head: after.head };
  };

  return {
    kind: "command",

    async list(releaseDir) {
      return (await report(releaseDir))
        .filter((m) => m.shipped)
        .map((m) => ({ id: m.id, name: m.name, hasDown: m.hasDown }));
    },

    async status(releaseDir) {
      return stateOf(await report(releaseDir));
    },

    async up(releaseDir, runOptions = {}) {
      const reported = await report(releaseDir);
      const before = stateOf(reported);
      const { to } = runOptions;
      if (to !== undefined) {
        if (!reported.some((m) => m.id === to && m.shipped)) {
          throw new ShipsafeError({
            code: "MIGRATION_UNKNOWN",
            kind: "usage",
            message: `migration ${to} is not among those the status command lists for ${releaseDir}`,
            hint: "use an id that shipsafe migrate status lists",
          });
        }
        if (!hasPlaceholder(options.up, TO)) throw missingPlaceholder("up", TO);
      }
      const argv = fillArgv(options.up, to === undefined ? {} : { to });
      return move(releaseDir, "up", before, [argv], runOptions.progress);
    },

    async down(releaseDir, runOptions) {
      const before = stateOf(await report(releaseDir));
      const applied = before.applied.map((m) => m.id);
      let count: number;
      if ("count" in runOptions) {
        count = runOptions.count;
      } else if (runOptions.to === null) {
        count = applied.length;
      } else {
        const index = applied.indexOf(runOptions.to);
        if (index < 0) {
          throw new ShipsafeError({
            code: "MIGRATION_NOT_APPLIED",
            kind: "usage",
            message: `migration ${runOptions.to} is not applied (applied: ${applied.join(", ") || "none"})`,
            hint: "pass --to an applied migration id (it stays applied; the ones after it are reverted)",
          });
        }
        count = applied.length - index - 1;
      }
      if (count > applied.length) {
        throw new ShipsafeError({
          code: "MIGRATION_DOWN_TOO_MANY",
          kind: "usage",
          message: `cannot revert ${count} migrations: ${applied.length} are applied`,
          hint: `use --count ${applied.length} or less (shipsafe migrate status lists them)`,
        });
      }
      if (count === 0) return { direction: "down", migrations: [], head: before.head };
      const to = applied[applied.length - count - 1];
      let runs: string[][];
      if (hasPlaceholder(options.down, COUNT)) runs = [fillArgv(options.down, { count })];
      else if (hasPlaceholder(options.down, TO)) {
        if (to === undefined) throw missingPlaceholder("down", COUNT);
        runs = [fillArgv(options.down, { to })];
      } else {
        // Without a placeholder the command reverts one migration (knex migrate:down, ...).
        runs = Array.from({ length: count }, () => [...options.down]);
      }
      return move(releaseDir, "down", before, runs, runOptions.progress);
    },

    async sql() {
      return null;
    },
  } satisfies MigrationRunner;
}

function missingPlaceholder(command: "up" | "down", placeholder: string): ShipsafeError {
  return new ShipsafeError({
    code: "MIGRATION_COMMAND_PLACEHOLDER",
    kind: "config",
    message: `migrations.${command} has no ${placeholder} placeholder, so shipsafe cannot tell the tool where to stop`,
    hint: `add an argument with ${placeholder} to migrations.${command} (docs/migrations.md#command)`,
  });
}

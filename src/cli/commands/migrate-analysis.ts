import type { Command } from "commander";
import type { EnvironmentPorts } from "../../app/environment.js";
import type { AnalysisScope } from "../../app/migrations/analysis-targets.js";
import { ShipsafeError } from "../../domain/errors.js";
import type {
  MigrationClassification,
  MigrationWaiver,
} from "../../domain/migrations/migration.js";
import type { ReversibilityGate } from "../../domain/migrations/reversibility-gate.js";
import type { JsonObject } from "../../domain/model/json.js";
import type { Action } from "../define-action.js";
import type { CommandOutcome } from "../output.js";
import { withEnvironment } from "../with-environment.js";

interface VerifyOptions {
  release?: string;
  snapshot?: string;
}
interface ClassifyOptions {
  from?: string;
  to?: string;
  snapshot?: string;
}

/**
 * Adds `verify` (up → down → up on a scratch copy; exit 1 when a migration is non-reversible and
 * not waived) and `classify` (additive / breaking / unknown, with the statement that decided) to
 * the `migrate` command.
 */
export function registerMigrateAnalysisCommands(migrate: Command, action: Action): void {
  migrate
    .command("verify")
    .description(
      "run up → down → up of migrations on a scratch copy and compare schema fingerprints (exit 1 when one is non-reversible and not waived)",
    )
    .argument("[ids...]", "migration ids (default: those the release has pending)")
    .option(
      "--release <version>",
      "the release whose migrations to check (default: the active one)",
    )
    .option(
      "--snapshot <id>",
      "start the scratch copy from this snapshot instead of the live database",
    )
    .action(
      action(async (ctx, ids: string[], options: VerifyOptions) => {
        const { env } = await ctx.environment();
        const waivers = waiversOf(env.migrations);
        return withEnvironment(ctx, { mutating: false }, async (ports) => {
          const { runner, analysis } = migrationPorts(ports);
          const { releaseDirOf } = await import("../../app/migrations/analysis-targets.js");
          const { reversibilityGate } = await import(
            "../../domain/migrations/reversibility-gate.js"
          );
          const release = await releaseDirOf(ports.target, options.release);
          const chosen = ids.length > 0 ? ids : (await runner.status(release.releaseDir)).pending;
          const results = await analysis.verifyReversible(
            release.releaseDir,
            chosen,
            options.snapshot ? { snapshotId: options.snapshot } : {},
          );
          return verifyOutcome(ports.env, release.version, reversibilityGate(results, waivers));
        });
      }),
    );

  migrate
    .command("classify")
    .description(
      "classify migrations as additive, breaking or unknown (parser + schema diff on a scratch copy)",
    )
    .option(
      "--from <version>",
      "the release the database is at (with --to: the migrations between)",
    )
    .option("--to <version>", "the release to classify for (default: the active one)")
    .option(
      "--snapshot <id>",
      "start the scratch copy from this snapshot instead of the live database",
    )
    .action(
      action(async (ctx, options: ClassifyOptions) =>
        withEnvironment(ctx, { mutating: false }, async (ports) => {
          const { runner, analysis } = migrationPorts(ports);
          const { migrationsBetween } = await import("../../app/migrations/analysis-targets.js");
          const scope = await migrationsBetween(runner, ports.target, {
            ...(options.from ? { from: options.from } : {}),
            ...(options.to ? { to: options.to } : {}),
          });
          const results = await analysis.classify(
            scope.releaseDir,
            scope.ids,
            options.snapshot ? { snapshotId: options.snapshot } : {},
          );
          return classifyOutcome(ports.env, scope, results);
        }),
      ),
    );
}

function migrationPorts(ports: EnvironmentPorts) {
  if (!ports.migrations || !ports.migrationAnalysis) {
    throw new ShipsafeError({
      code: "MIGRATIONS_NOT_CONFIGURED",
      kind: "config",
      message: `environment ${ports.env} configures no migrations`,
      hint: "add a migrations block (kind: sql-dir or command) to the environment in shipsafe.yaml",
    });
  }
  return { runner: ports.migrations, analysis: ports.migrationAnalysis };
}

/** The waivers of a migrations config block (`waivers: [{ migration, by, reason, at }]`). */
export function waiversOf(block: unknown): MigrationWaiver[] {
  const waivers = (block as { waivers?: unknown } | undefined)?.waivers;
  return Array.isArray(waivers) ? (waivers as MigrationWaiver[]) : [];
}

function verifyOutcome(env: string, version: string, gate: ReversibilityGate): CommandOutcome {
  const mark = { pass: "ok    ", waived: "waived", fail: "FAIL  " } as const;
  const lines = gate.decisions.map((d) => `  ${mark[d.status]}  ${d.migrationId}  ${d.diagnostic}`);
  const head =
    gate.decisions.length === 0
      ? `no migrations to verify in release ${version} (${env})`
      : gate.passed
        ? `every migration of ${version} can be reverted, or is waived (${env})`
        : `${gate.decisions.filter((d) => d.status === "fail").length} migration(s) of ${version} cannot be reverted by their down-migration (${env})`;
  return {
    exitCode: gate.passed ? 0 : 1,
    json: { env, release: version, ...gate } as unknown as JsonObject,
    human: [head, ...lines].join("\n"),
  };
}

function classifyOutcome(
  env: string,
  scope: AnalysisScope,
  results: readonly MigrationClassification[],
): CommandOutcome {
  const lines = results.flatMap((r) => [
    `  ${r.verdict.padEnd(9)} ${r.migrationId}  (${r.sources.join(" + ") || "no SQL"})`,
    ...r.statements.map(
      (s) =>
        `      ${s.verdict.padEnd(9)} #${s.index + 1} ${s.statement || "-"}\n                → ${s.reason}`,
    ),
  ]);
  const head =
    results.length === 0
      ? `no migrations ${scope.selection} (${env})`
      : `${results.length} migration(s) ${scope.selection} (${env}):`;
  return {
    exitCode: 0,
    json: {
      env,
      release: scope.version,
      selection: scope.selection,
      migrations: results,
    } as unknown as JsonObject,
    human: [head, ...lines].join("\n"),
  };
}

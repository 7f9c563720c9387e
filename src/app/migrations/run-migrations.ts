import type { AppliedMigration } from "../../domain/migrations/migration.js";
import type { MigrationRun } from "../../ports/migration-runner.js";
import type { EnvironmentPorts } from "../environment.js";
import { type MigrationPlan, planDown, planUp } from "./migration-plan.js";
import { migrationRelease, requireMigrations } from "./migration-release.js";

/** What `migrate up|down` did (or, with dryRun, would do). */
export interface MigrationOutcome {
  readonly env: string;
  readonly dryRun: boolean;
  readonly plan: MigrationPlan;
  /** What ran, in order; null for a dry run. */
  readonly ran: readonly AppliedMigration[] | null;
  /** The head after the run (the planned head for a dry run). */
  readonly head: string | null;
}

type Ports = Pick<EnvironmentPorts, "env" | "target" | "migrations" | "progress" | "record">;

/** Applies the pending migrations of `version` (default: the current release), or up to `to`. */
export async function migrateUp(
  ports: Ports,
  options: { readonly version?: string; readonly to?: string; readonly dryRun: boolean },
): Promise<MigrationOutcome> {
  const runner = requireMigrations(ports);
  const { version, releaseDir } = await migrationRelease(ports, options.version);
  const plan = planUp(version, await runner.status(releaseDir), options.to);
  if (options.dryRun || plan.migrations.length === 0) return planned(ports, plan, options.dryRun);
  return recorded(
    ports,
    plan,
    () =>
      runner.up(releaseDir, {
        ...(options.to === undefined ? {} : { to: options.to }),
        progress: ports.progress,
      }),
    async () => {
      const now = new Set((await runner.status(releaseDir)).applied.map((m) => m.id));
      return plan.migrations.filter((id) => now.has(id));
    },
  );
}

/** Reverts applied migrations, newest first: `count` of them, or every one after `to`. */
export async function migrateDown(
  ports: Ports,
  options: {
    readonly version?: string;
    readonly target: { readonly count: number } | { readonly to: string | null };
    readonly dryRun: boolean;
  },
): Promise<MigrationOutcome> {
  const runner = requireMigrations(ports);
  const { version, releaseDir } = await migrationRelease(ports, options.version);
  const plan = planDown(version, await runner.status(releaseDir), options.target);
  if (options.dryRun || plan.migrations.length === 0) return planned(ports, plan, options.dryRun);
  return recorded(
    ports,
    plan,
    () => runner.down(releaseDir, { ...options.target, progress: ports.progress }),
    async () => {
      const now = new Set((await runner.status(releaseDir)).applied.map((m) => m.id));
      return plan.migrations.filter((id) => !now.has(id));
    },
  );
}

function planned(ports: Ports, plan: MigrationPlan, dryRun: boolean): MigrationOutcome {
  return { env: ports.env, dryRun, plan, ran: dryRun ? null : [], head: plan.to };
}

/** Runs the plan and appends `migration.up|down` to the ledger, whether it succeeds or fails. */
async function recorded(
  ports: Ports,
  plan: MigrationPlan,
  run: () => Promise<MigrationRun>,
  /** After a failure: which planned migrations did run (the database is asked again). */
  ranSoFar: () => Promise<string[]>,
): Promise<MigrationOutcome> {
  const kind = `migration.${plan.direction}`;
  let result: MigrationRun;
  try {
    result = await run();
  } catch (error) {
    const ran = await ranSoFar().catch(() => null);
    await ports.record({
      kind,
      subject: plan.version,
      data: {
        status: "failed",
        from: plan.from,
        planned: [...plan.migrations],
        migrations: ran,
        error: error instanceof Error ? error.message : String(error),
      },
    });
    throw error;
  }
  await ports.record({
    kind,
    subject: plan.version,
    data: {
      status: "succeeded",
      from: plan.from,
      head: result.head,
      migrations: result.migrations.map((m) => m.id),
    },
  });
  return { env: ports.env, dryRun: false, plan, ran: result.migrations, head: result.head };
}

import { ShipsafeError } from "../../domain/errors.js";
import type { MigrationRunner } from "../../ports/migration-runner.js";
import type { EnvironmentPorts } from "../environment.js";
import { requireRelease } from "../release/require-release.js";

/** The environment's migration source, or a config error saying how to configure one. */
export function requireMigrations(
  ports: Pick<EnvironmentPorts, "env" | "migrations">,
): MigrationRunner {
  if (ports.migrations) return ports.migrations;
  throw new ShipsafeError({
    code: "MIGRATIONS_NOT_CONFIGURED",
    kind: "config",
    message: `environment ${ports.env} configures no migrations`,
    hint: "add migrations: { kind: sql-dir, dir: migrations } (or kind: command) to the environment (docs/config.md#migrations)",
  });
}

/** Which release's migrations a command works with: `version`, else the current release. */
export async function migrationRelease(
  ports: Pick<EnvironmentPorts, "target">,
  version: string | undefined,
): Promise<{ readonly version: string; readonly releaseDir: string }> {
  const chosen = version ?? (await ports.target.current());
  if (chosen === undefined) {
    throw new ShipsafeError({
      code: "NO_CURRENT_RELEASE",
      kind: "usage",
      message: "no release is active on the target, so there is no release whose migrations to use",
      hint: "name one with --release <version> (shipsafe release list shows the stored ones)",
    });
  }
  const release = await requireRelease(ports.target, chosen);
  return { version: chosen, releaseDir: release.path };
}

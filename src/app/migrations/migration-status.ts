import type { MigrationState } from "../../domain/migrations/migration.js";
import type { EnvironmentPorts } from "../environment.js";
import { migrationRelease, requireMigrations } from "./migration-release.js";

/** `/migration state` for one release, with where it came from. */
export interface MigrationStatusReport {
  readonly env: string;
  readonly source: "sql-dir" | "command";
  /** The release whose shipped migrations the database is compared with. */
  readonly version: string;
  readonly state: MigrationState;
}

/** The live database's migration state against `version` (default: the current release). */
export async function migrationStatus(
  ports: Pick<EnvironmentPorts, "env" | "target" | "migrations">,
  version?: string,
): Promise<MigrationStatusReport> {
  const runner = requireMigrations(ports);
  const release = await migrationRelease(ports, version);
  return {
    env: ports.env,
    source: runner.kind,
    version: release.version,
    state: await runner.status(release.releaseDir),
  };
}

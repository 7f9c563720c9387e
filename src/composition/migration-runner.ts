import { isAbsolute, normalize, sep } from "node:path";
import { execFileRunner } from "../adapters/checks/process/run-process.js";
import { createCommandMigrationRunner } from "../adapters/migrations/command/command-migration-runner.js";
import { createPostgresTrackingDatabase } from "../adapters/migrations/sql-dir/postgres-tracking-database.js";
import { createSqlDirMigrationRunner } from "../adapters/migrations/sql-dir/sql-dir-runner.js";
import { createSqliteTrackingDatabase } from "../adapters/migrations/sql-dir/sqlite-tracking-database.js";
import { pgConnection } from "../adapters/state/postgres/pg-connection.js";
import type { EnvironmentConfig } from "../domain/config/types.js";
import { parseDuration } from "../domain/duration.js";
import { ShipsafeError } from "../domain/errors.js";
import type { MigrationRunner } from "../ports/migration-runner.js";
import type { MigrationDatabase } from "./migration-analysis.js";

/** The environment's migration source, or undefined when it configures no `migrations`. */
export function buildMigrationRunner(
  env: EnvironmentConfig,
  at: (path: string) => string,
): MigrationRunner | undefined {
  const config = env.migrations;
  if (!config) return undefined;
  const inside = config.kind === "command" ? ["cwd", config.cwd] : ["dir", config.dir];
  if (!insideRelease(inside[1] as string)) {
    throw new ShipsafeError({
      code: "MIGRATIONS_PATH",
      kind: "config",
      message: `migrations.${inside[0]} "${inside[1]}" is not inside the release directory`,
      hint: "give a path relative to the release directory, without '..' (e.g. migrations)",
    });
  }
  if (config.kind === "command") {
    return createCommandMigrationRunner({
      up: config.up,
      down: config.down,
      status: config.status,
      statusFormat:
        config.statusFormat === "text"
          ? { kind: "text", pattern: config.statusPattern ?? "", appliedState: config.appliedState }
          : { kind: "json" },
      cwd: config.cwd,
      timeoutMs: parseDuration(config.timeout),
      ...(config.env ? { env: config.env } : {}),
      run: execFileRunner,
    });
  }
  const asset = migratedAsset(env, config.asset);
  const database =
    asset.kind === "sqlite"
      ? createSqliteTrackingDatabase(at(asset.path))
      : createPostgresTrackingDatabase(pgConnection(asset.url));
  return createSqlDirMigrationRunner({ dir: config.dir, database });
}

/**
 * The database the migrations of `env` run against (for scratch copies): sql-dir's migrated
 * asset; for a command source the environment's only database, if it has exactly one.
 */
export function migratedDatabase(
  env: EnvironmentConfig,
  at: (path: string) => string,
): MigrationDatabase | undefined {
  const config = env.migrations;
  if (!config) return undefined;
  let asset: DatabaseAsset | undefined;
  if (config.kind === "sql-dir") asset = migratedAsset(env, config.asset);
  else {
    const databases = env.state.filter(
      (a): a is DatabaseAsset => a.kind === "sqlite" || a.kind === "postgres",
    );
    asset = databases.length === 1 ? databases[0] : undefined;
  }
  if (!asset) return undefined;
  return asset.kind === "sqlite"
    ? { kind: "sqlite", path: at(asset.path), assetName: asset.name }
    : { kind: "postgres", url: asset.url, assetName: asset.name };
}

function insideRelease(path: string): boolean {
  return !isAbsolute(path) && !normalize(path).split(sep).includes("..");
}

type DatabaseAsset = Extract<EnvironmentConfig["state"][number], { kind: "sqlite" | "postgres" }>;

/** The state asset `sql-dir` migrates: the one named, else the environment's only database. */
function migratedAsset(env: EnvironmentConfig, name: string | undefined): DatabaseAsset {
  const databases = env.state.filter(
    (asset): asset is DatabaseAsset => asset.kind === "sqlite" || asset.kind === "postgres",
  );
  const listed = databases.map((a) => `${a.name} (${a.kind})`).join(", ") || "none";
  if (name !== undefined) {
    const named = databases.find((asset) => asset.name === name);
    if (named) return named;
    throw new ShipsafeError({
      code: "MIGRATIONS_ASSET",
      kind: "config",
      message: `migrations.asset "${name}" is not a sqlite or postgres state asset of this environment (database assets: ${listed})`,
      hint: "set migrations.asset to the name of a state asset of kind sqlite or postgres",
    });
  }
  const [only, ...more] = databases;
  if (only && more.length === 0) return only;
  throw new ShipsafeError({
    code: "MIGRATIONS_ASSET",
    kind: "config",
    message: `migrations (sql-dir) need one database to migrate; the environment has ${databases.length === 0 ? "no sqlite or postgres state asset" : `several: ${listed}`}`,
    hint:
      databases.length === 0
        ? "add the database under state: (kind: sqlite or postgres) (docs/config.md#state)"
        : "name the one to migrate with migrations.asset (docs/config.md#migrations)",
  });
}
